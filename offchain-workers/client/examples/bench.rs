//! The measuring side of `scripts/bench`: a gateway over a store with an in-memory catalog
//! (the chain lookup is not what is measured), verified downloads with and without receipts,
//! BLAKE3 hashing and store import. Each subcommand prints one line `key=value ...`.
//!
//! ```text
//! bench serve DIR ADDR FILE...     # import FILEs into DIR and serve them on ADDR until killed
//! bench get URL ID OUT [pay]       # verified download (paying with receipts if `pay`)
//! bench hash FILE                  # single-threaded BLAKE3
//! bench import FILE DIR            # store import (hash, outboard, verification, fsync)
//! ```

use bitcloud_client::{download, Payer, Replica, Signer};
use bitcloud_content::{ContentConfig, ContentService, ContentStore, ItemMeta};
use bitcloud_primitives::AccountId;
use common::{OneCatalog, GENESIS};
use std::{
	io::Read,
	path::Path,
	sync::Arc,
	time::{Duration, Instant},
};

/// The benchmark gateway's chain: every file listed, every client a large quota.
#[path = "../tests/common/mod.rs"]
mod common;

fn peak_rss_kib() -> u64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|status| {
			status.lines().find_map(|line| {
				line.strip_prefix("VmHWM:")?.trim().trim_end_matches("kB").trim().parse().ok()
			})
		})
		.unwrap_or(0)
}

fn rate(bytes: u64, elapsed: Duration) -> f64 {
	bytes as f64 / elapsed.as_secs_f64() / 1e6
}

fn serve(dir: &Path, addr: &str, files: &[String]) -> Result<(), String> {
	let (store, _) = ContentStore::open(dir.join("store")).map_err(|e| e.to_string())?;
	let mut catalog = Vec::new();
	for file in files {
		let id = store.import_file(Path::new(file)).map_err(|e| e.to_string())?;
		let size = store.size(&id).unwrap_or(0);
		let meta =
			ItemMeta { size, title: file.clone(), mime_type: "application/octet-stream".into() };
		catalog.push((id, meta));
		println!("item {} {}", hex::encode(id), file);
	}
	drop(store);
	let config = ContentConfig {
		dir: dir.join("store"),
		gateway_addr: addr.parse().map_err(|e| format!("{addr}: {e}"))?,
		node: Some(AccountId::new([1; 32])),
		import: Vec::new(),
		version: "bench".into(),
		replicate_every: None,
	};
	let service = ContentService::prepare(config, Arc::new(OneCatalog(catalog)), None)
		.map_err(|e| e.to_string())?;
	println!("ready http://{}", service.local_addr());
	let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
	runtime.block_on(service.run());
	Ok(())
}

fn get(url: &str, id: &str, out: &Path, pay: bool) -> Result<(), String> {
	let id = bitcloud_content::parse_id(id).map_err(|e| e.to_string())?;
	let payer = pay.then(|| Payer {
		signer: Signer::from_suri("//BenchClient").expect("a dev key"),
		genesis: GENESIS,
	});
	let replica = Replica { node: None, gateway: url.to_string() };
	let start = Instant::now();
	let report = download(vec![replica], &id, out, 1, payer.as_ref(), &mut |_, _| {})
		.map_err(|e| e.to_string())?;
	let elapsed = start.elapsed();
	println!(
		"bytes={} seconds={:.3} mb_per_s={:.1} paid={pay}",
		report.size,
		elapsed.as_secs_f64(),
		rate(report.size, elapsed)
	);
	Ok(())
}

fn hash(file: &Path) -> Result<(), String> {
	let mut reader = std::fs::File::open(file).map_err(|e| e.to_string())?;
	let mut hasher = blake3::Hasher::new();
	let mut buffer = vec![0u8; 1 << 20];
	let (mut bytes, mut busy) = (0u64, Duration::ZERO);
	loop {
		let n = reader.read(&mut buffer).map_err(|e| e.to_string())?;
		if n == 0 {
			break;
		}
		// Only the hashing is timed: the per-core rate, not the disk's.
		let start = Instant::now();
		hasher.update(&buffer[..n]);
		busy += start.elapsed();
		bytes += n as u64;
	}
	println!(
		"bytes={bytes} seconds={:.3} mb_per_s={:.1} root={}",
		busy.as_secs_f64(),
		rate(bytes, busy),
		hasher.finalize()
	);
	Ok(())
}

fn import(file: &Path, dir: &Path) -> Result<(), String> {
	let (store, _) = ContentStore::open(dir).map_err(|e| e.to_string())?;
	let start = Instant::now();
	let id = store.import_file(file).map_err(|e| e.to_string())?;
	let elapsed = start.elapsed();
	let bytes = store.size(&id).unwrap_or(0);
	println!(
		"bytes={bytes} seconds={:.3} mb_per_s={:.1} peak_rss_kib={}",
		elapsed.as_secs_f64(),
		rate(bytes, elapsed),
		peak_rss_kib()
	);
	Ok(())
}

fn main() {
	let args: Vec<String> = std::env::args().skip(1).collect();
	let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
		["serve", dir, addr, files @ ..] => {
			let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
			serve(Path::new(dir), addr, &files)
		},
		["get", url, id, out] => get(url, id, Path::new(out), false),
		["get", url, id, out, "pay"] => get(url, id, Path::new(out), true),
		["hash", file] => hash(Path::new(file)),
		["import", file, dir] => import(Path::new(file), Path::new(dir)),
		_ => Err("usage: bench serve DIR ADDR FILE... | get URL ID OUT [pay] | hash FILE | \
		          import FILE DIR"
			.into()),
	};
	if let Err(e) = result {
		eprintln!("bench: {e}");
		std::process::exit(1);
	}
}
