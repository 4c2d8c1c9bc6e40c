//! An exit that fetches unmoderated content from a storing relay pays it with receipts the
//! storing relay keeps (for its node to submit).

use bitcloud_content::ReceiptSink;
use bitcloud_onion::{local::LocalNet, ExitPayer, KeyPayer};
use bitcloud_primitives::{receipt, AccountId, SignedReceipt};
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::sync::{atomic::Ordering, Arc, Mutex};

#[derive(Default)]
struct Kept(Mutex<Vec<SignedReceipt<AccountId>>>);

impl ReceiptSink for Kept {
	fn accepted(&self, receipt: SignedReceipt<AccountId>) {
		self.0.lock().unwrap().push(receipt);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exit_pays_the_storing_relay_for_what_it_fetched() {
	let dir = tempfile::tempdir().unwrap();
	let kept = Arc::new(Kept::default());
	let payer = Arc::new(KeyPayer {
		pair: sr25519::Pair::from_seed(&[5; 32]),
		genesis: H256([42; 32]),
		epoch: 7,
	});
	let (sink, exit_payer) = (kept.clone(), payer.clone());
	let net = LocalNet::start_with(dir.path(), 4, 3, move |n, config| {
		config.payer = Some(exit_payer.clone());
		if n == 3 {
			config.receipts = Some(sink.clone());
		}
	})
	.await
	.unwrap();
	assert_eq!(net.genesis, payer.genesis.0);
	let bytes = vec![9u8; 2_000_000];
	let id = net.stores[3].import_bytes(&bytes).unwrap();
	let mut out = Vec::new();
	net.client(&[0, 1, 2]).get(&id, &mut out, &mut |_, _| {}).await.unwrap();
	assert_eq!(out, bytes);

	tokio::time::sleep(std::time::Duration::from_millis(300)).await;
	let receipts = kept.0.lock().unwrap().clone();
	// One for the bytes, checked against the id: exactly the content's size. The outboard
	// (and the chunk group the exit checks the size with) is not paid for, as over HTTP.
	assert_eq!(receipts.len(), 1, "{receipts:?}");
	assert_eq!(receipts[0].receipt.bytes, bytes.len() as u64);
	for signed in &receipts {
		let r = &signed.receipt;
		assert_eq!(
			(r.client.clone(), r.node.clone()),
			(payer.account(), net.infos[3].account.clone())
		);
		assert_eq!((r.epoch, r.moderator.clone()), (7, None));
		assert!(receipt::verify(signed, &H256(net.genesis)));
	}
	assert_eq!(net.relays[2].stats().receipts_sent.load(Ordering::SeqCst), 1);
	assert_eq!(net.relays[3].stats().receipts_kept.load(Ordering::SeqCst), 1);
	// The relays in between are not paid by this mechanism (docs/onion.md, "Payment").
	assert_eq!(net.relays[0].stats().receipts_kept.load(Ordering::SeqCst), 0);
}
