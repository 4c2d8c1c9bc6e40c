//! The onion side of `scripts/bench`: relays on loopback in this process, a file in the
//! exit's store, and one line `key=value ...` with
//!
//! - `three_hop_mb_per_s`, `one_hop_mb_per_s`: verified anonymous download through a
//!   three-hop circuit and through one hop to the storing relay;
//! - `three_hop_ttfb_ms`, `one_hop_ttfb_ms`: circuit build plus first byte (the median of
//!   21 circuits);
//! - `hop_cells_per_s`, `hop_mb_per_s`: one hop's work on one core (open a frame, seal a
//!   frame: what a relay does per frame in each direction).
//!
//! ```text
//! onion-bench FILE
//! ```

use bitcloud_onion::{
	cell::{Cell, FRAME_LEN},
	local::LocalNet,
	noise::{respond, Initiator, OnionSecret},
	Circuit,
};
use std::time::{Duration, Instant};

fn rate(bytes: u64, elapsed: Duration) -> f64 {
	bytes as f64 / elapsed.as_secs_f64() / 1e6
}

/// Circuits built to time the first byte: a fraction of a millisecond swings with the
/// machine, so the figure is their median (as `scripts/bench`'s for HTTP).
const TTFB_CIRCUITS: usize = 21;

/// Milliseconds to build a circuit through `path` and receive the first byte of `id`.
async fn first_byte_ms(net: &LocalNet, path: &[usize], id: &[u8; 32]) -> Result<f64, String> {
	let start = Instant::now();
	let mut circuit =
		Circuit::build(&net.path(path), &net.genesis).await.map_err(|e| e.error.to_string())?;
	let request = Cell::Get { id: *id, offset: 0, len: 1, local: false };
	circuit.request(&request).await.map_err(|e| e.to_string())?;
	circuit.data().await.map_err(|e| e.to_string())?;
	Ok(start.elapsed().as_secs_f64() * 1000.0)
}

async fn download(net: &LocalNet, path: &[usize], id: &[u8; 32]) -> Result<(f64, f64), String> {
	let mut times = Vec::with_capacity(TTFB_CIRCUITS);
	for _ in 0..TTFB_CIRCUITS {
		times.push(first_byte_ms(net, path, id).await?);
	}
	times.sort_by(f64::total_cmp);
	let ttfb = times[TTFB_CIRCUITS / 2];

	let anonymous = net.client(path);
	let start = Instant::now();
	let report =
		anonymous.get(id, &mut std::io::sink(), &mut |_, _| {}).await.map_err(|e| e.to_string())?;
	Ok((rate(report.bytes, start.elapsed()), ttfb))
}

fn hop_rate() -> Result<(f64, f64), String> {
	let secret = OnionSecret::generate();
	let genesis = [1; 32];
	let (initiator, first) = Initiator::start(&secret.public(), &genesis).map_err(|e| e.0)?;
	let (answer, mut relay) = respond(&secret, &genesis, &first).map_err(|e| e.0)?;
	let mut client = initiator.finish(&answer).map_err(|e| e.0)?;
	let plain = vec![7u8; FRAME_LEN - 16];
	let mut sealed = vec![0u8; FRAME_LEN];
	let mut opened = vec![0u8; FRAME_LEN - 16];
	let frames = 20_000u64;
	let start = Instant::now();
	for _ in 0..frames {
		client.sealer.seal(&plain, &mut sealed).map_err(|e| e.0)?;
		relay.opener.open(&sealed, &mut opened).map_err(|e| e.0)?;
	}
	// Each frame was sealed once and opened once: two frames' worth of hop work.
	let elapsed = start.elapsed().as_secs_f64();
	let cells = 2.0 * frames as f64 / elapsed;
	Ok((cells, cells * FRAME_LEN as f64 / 1e6))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
	let file = std::env::args().nth(1).ok_or("usage: onion-bench FILE")?;
	let dir = std::env::temp_dir().join(format!("bitcloud-onion-bench-{}", std::process::id()));
	let net = LocalNet::start(&dir, 3, 2).await.map_err(|e| e.to_string())?;
	let id = net.stores[2].import_file(file.as_ref()).map_err(|e| e.to_string())?;
	let three = download(&net, &[0, 1, 2], &id).await;
	let one = download(&net, &[2], &id).await;
	let _ = std::fs::remove_dir_all(&dir);
	let ((three_mbs, three_ttfb), (one_mbs, one_ttfb)) = (three?, one?);
	let (cells, hop_mbs) = hop_rate()?;
	println!(
		"three_hop_mb_per_s={three_mbs:.1} three_hop_ttfb_ms={three_ttfb:.2} \
		 one_hop_mb_per_s={one_mbs:.1} one_hop_ttfb_ms={one_ttfb:.2} \
		 hop_cells_per_s={cells:.0} hop_mb_per_s={hop_mbs:.1}"
	);
	Ok(())
}
