//! The measuring side of `scripts/bench`: a gateway over a store with an in-memory catalog
//! (the chain lookup is not what is measured), verified downloads with and without receipts,
//! BLAKE3 hashing and store import. Each subcommand prints one line `key=value ...`.
//!
//! ```text
//! bench serve DIR ADDR FILE...     # import FILEs into DIR and serve them on ADDR until killed
//! bench get URL ID OUT [pay]       # verified download (paying with receipts if `pay`)
//! bench hash FILE                  # single-threaded BLAKE3
//! bench import FILE DIR            # store import (hash, outboard, verification, fsync)
//! bench transfers RPC N            # N balance transfers signed by //Alice, included how fast
//! ```

use bitcloud_client::{download, Payer, Replica, Rpc, Signer};
use bitcloud_content::{CachedChain, ContentConfig, ContentService, ContentStore, ItemMeta};
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
	// Held answers, as the node's view keeps them per block: an uncached view is asked on a
	// blocking thread per request, which is not what a node does.
	let view = Arc::new(CachedChain::new(Arc::new(OneCatalog(catalog))));
	let service = ContentService::prepare(config, view, None).map_err(|e| e.to_string())?;
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

/// How fast a live chain includes balance transfers: `n` transfers of 1 planck from //Alice to
/// //Bob, signed with consecutive nonces and all submitted at once (the pool holds 8,192), then
/// Alice's nonce read at every new block. Prints the transfers the fullest block took, the rate
/// from the submission of the first to the block that took the last, and the ceiling the
/// runtime's weights set (the normal share of a block over one transfer's weight) per block.
fn transfers(url: &str, n: u32) -> Result<(), String> {
	use bitcloud_runtime::{signing::signed_extrinsic, RuntimeCall};
	use codec::Encode;
	use polkadot_sdk::pallet_balances::Call;
	let rpc = Rpc::new(url);
	let (alice, bob) = (dev("//Alice")?, dev("//Bob")?);
	let mut context = rpc.signing_context(&alice).map_err(|e| e.to_string())?;
	let first_nonce = context.nonce;
	let xts: Vec<String> = (0..n)
		.map(|_| {
			let call = RuntimeCall::Balances(Call::transfer_keep_alive {
				dest: bob.account().into(),
				value: 1,
			});
			let xt = signed_extrinsic(call, alice.account(), context, |p| alice.sign(p));
			context.nonce += 1;
			format!("0x{}", hex::encode(xt.encode()))
		})
		.collect();
	let weight = rpc
		.call("payment_queryInfo", serde_json::json!([xts[0]]))
		.map_err(|e| e.to_string())?["weight"]["ref_time"]
		.as_u64()
		.unwrap_or(u64::MAX);
	let mut block = rpc.best_number().map_err(|e| e.to_string())?;
	let start = Instant::now();
	for xt in &xts {
		rpc.call("author_submitExtrinsic", serde_json::json!([xt])).map_err(|e| e.to_string())?;
	}
	let submitted = start.elapsed().as_secs_f64();
	let (mut done, mut fullest) = (0u64, 0u64);
	while done < u64::from(n) {
		if start.elapsed() > Duration::from_secs(300) {
			return Err(format!(
				"only {done} of {n} transfers were included in 300 s (submitted in {submitted:.1} s)"
			));
		}
		if rpc.best_number().map_err(|e| e.to_string())? <= block {
			std::thread::sleep(Duration::from_millis(50));
			continue;
		}
		block += 1;
		let hash = rpc.block_hash(block).map_err(|e| e.to_string())?;
		let nonce = nonce_at(&rpc, &alice, hash)?;
		let now_done = u64::from(nonce.saturating_sub(first_nonce));
		fullest = fullest.max(now_done.saturating_sub(done));
		done = now_done;
	}
	let seconds = start.elapsed().as_secs_f64();
	let normal = normal_block_weight();
	println!(
		"transfers={n} submitted_in={submitted:.3} seconds={seconds:.3} per_s={:.1} \
		 fullest_block={fullest} ceiling_per_block={}",
		f64::from(n) / seconds,
		normal / weight.max(1)
	);
	Ok(())
}

/// The weight (time) normal transactions may fill in one block, as the runtime has it.
fn normal_block_weight() -> u64 {
	use polkadot_sdk::{frame_support::dispatch::DispatchClass, frame_system::Config};
	let weights = <bitcloud_runtime::Runtime as Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	normal.max_total.unwrap_or(weights.max_block).ref_time()
}

fn dev(suri: &str) -> Result<Signer, String> {
	Signer::from_suri(suri).map_err(|e| e.to_string())
}

/// `signer`'s next nonce in the state of block `hash`.
fn nonce_at(rpc: &Rpc, signer: &Signer, hash: polkadot_sdk::sp_core::H256) -> Result<u32, String> {
	use codec::{Decode, Encode};
	let args = format!("0x{}", hex::encode(signer.account().encode()));
	let at = format!("{hash:?}");
	let answer = rpc
		.call("state_call", serde_json::json!(["AccountNonceApi_account_nonce", args, at]))
		.map_err(|e| e.to_string())?;
	let bytes = hex::decode(answer.as_str().unwrap_or_default().trim_start_matches("0x"))
		.map_err(|e| e.to_string())?;
	u32::decode(&mut &bytes[..]).map_err(|e| e.to_string())
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
		["transfers", url, n] => {
			n.parse().map_err(|e| format!("{n}: {e}")).and_then(|n| transfers(url, n))
		},
		_ => Err("usage: bench serve DIR ADDR FILE... | get URL ID OUT [pay] | hash FILE | \
		          import FILE DIR | transfers RPC N"
			.into()),
	};
	if let Err(e) = result {
		eprintln!("bench: {e}");
		std::process::exit(1);
	}
}
