//! Native receipt checks, as a node does them before it submits: one sr25519 verification per
//! receipt (`receipt::verify`, what the runtime does too) against schnorrkel's batch
//! verification of the same receipts. One core; results in `docs/performance.md`, section
//! "Receipt signatures".
//!
//! `cargo bench -p bitcloud-primitives --bench receipts` (add `-- --measurement-time 3` for a
//! quick run).

use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	AccountId,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::hint::black_box;

const GENESIS: H256 = H256::repeat_byte(0x42);

/// `n` receipts, each signed by a different client, for one node.
fn receipts(n: u32) -> Vec<SignedReceipt<AccountId>> {
	let node = sr25519::Pair::from_seed(&[0xaa; 32]);
	let moderator = sr25519::Pair::from_seed(&[0xbb; 32]);
	(0..n)
		.map(|i| {
			let mut seed = [0u8; 32];
			seed[..4].copy_from_slice(&i.to_le_bytes());
			let client = sr25519::Pair::from_seed(&seed);
			let r = Receipt {
				client: client.public().into(),
				node: node.public().into(),
				epoch: 1,
				moderator: Some(moderator.public().into()),
				bytes: 1 << 20,
			};
			receipt::sign(r, &client, &GENESIS)
		})
		.collect()
}

/// What schnorrkel's batch verification takes: transcripts, signatures and public keys.
fn batch_inputs(
	signed: &[SignedReceipt<AccountId>],
) -> (Vec<Vec<u8>>, Vec<schnorrkel::Signature>, Vec<schnorrkel::PublicKey>) {
	let payloads = signed.iter().map(|s| receipt::signing_payload(&s.receipt, &GENESIS)).collect();
	let signatures = signed
		.iter()
		.map(|s| schnorrkel::Signature::from_bytes(&s.signature.0).expect("a valid signature"))
		.collect();
	let keys = signed
		.iter()
		.map(|s| {
			let raw: &[u8; 32] = s.receipt.client.as_ref();
			schnorrkel::PublicKey::from_bytes(raw).expect("a valid key")
		})
		.collect();
	(payloads, signatures, keys)
}

fn verify_batch(
	payloads: &[Vec<u8>],
	signatures: &[schnorrkel::Signature],
	keys: &[schnorrkel::PublicKey],
) -> bool {
	// sp-core signs sr25519 with the "substrate" signing context.
	let context = schnorrkel::signing_context(b"substrate");
	let transcripts = payloads.iter().map(|p| context.bytes(p));
	schnorrkel::verify_batch(transcripts, signatures, keys, false).is_ok()
}

fn bench(c: &mut Criterion) {
	let mut group = c.benchmark_group("receipt signatures");
	for n in [16u32, 64, 256] {
		let signed = receipts(n);
		let (payloads, signatures, keys) = batch_inputs(&signed);
		assert!(signed.iter().all(|s| receipt::verify(s, &GENESIS)));
		assert!(verify_batch(&payloads, &signatures, &keys));
		group.throughput(Throughput::Elements(n.into()));
		group.bench_with_input(BenchmarkId::new("single", n), &signed, |b, signed| {
			b.iter(|| signed.iter().all(|s| receipt::verify(black_box(s), &GENESIS)))
		});
		group.bench_with_input(BenchmarkId::new("batch", n), &n, |b, _| {
			b.iter(|| verify_batch(black_box(&payloads), &signatures, &keys))
		});
	}
	group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
