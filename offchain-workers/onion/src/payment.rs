//! Payment for unmoderated bytes: an exit that fetched through a one-hop circuit pays the
//! storing node with a receipt, as its client (see `docs/onion.md`, "Payment").

use bitcloud_content::ReceiptSink;
use bitcloud_primitives::{receipt, AccountId, EpochIndex, Receipt, SignedReceipt};
use codec::{Decode, Encode};
use polkadot_sdk::sp_core::{sr25519, Pair as _, H256};
use std::{collections::HashMap, sync::Mutex};

/// How an exit signs receipts: with its node account's key, for the chain's current epoch.
/// Calls may block (keystore, runtime API): async code calls them on blocking threads.
pub trait ExitPayer: Send + Sync + 'static {
	/// The account that signs (the exit node's).
	fn account(&self) -> AccountId;
	/// The current epoch, if the chain answers.
	fn epoch(&self) -> Option<EpochIndex>;
	/// `receipt` signed for this chain, if the key is at hand.
	fn sign(&self, receipt: Receipt<AccountId>) -> Option<SignedReceipt<AccountId>>;
}

/// An [`ExitPayer`] whose key is in memory and whose epoch is given: for tools and tests that
/// run an exit without a chain (the node signs with its keystore and asks the runtime).
pub struct KeyPayer {
	/// The exit's key.
	pub pair: sr25519::Pair,
	/// The genesis hash of the chain its receipts are for.
	pub genesis: H256,
	/// The epoch it says is current.
	pub epoch: EpochIndex,
}

impl ExitPayer for KeyPayer {
	fn account(&self) -> AccountId {
		AccountId::new(self.pair.public().0)
	}
	fn epoch(&self) -> Option<EpochIndex> {
		Some(self.epoch)
	}
	fn sign(&self, receipt: Receipt<AccountId>) -> Option<SignedReceipt<AccountId>> {
		Some(receipt::sign(receipt, &self.pair, &self.genesis))
	}
}

/// What an exit has paid each storing node per epoch (receipts are cumulative).
#[derive(Default)]
pub struct PaidLedger(Mutex<HashMap<(AccountId, EpochIndex), u64>>);

impl PaidLedger {
	/// The receipt for `bytes` more from `node`, signed by `payer` (none if it cannot sign).
	pub fn receipt(
		&self,
		payer: &dyn ExitPayer,
		node: &AccountId,
		bytes: u64,
	) -> Option<SignedReceipt<AccountId>> {
		let epoch = payer.epoch()?;
		let total = {
			let mut paid = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			let total = paid.entry((node.clone(), epoch)).or_insert(0);
			*total = total.saturating_add(bytes);
			*total
		};
		let receipt = Receipt {
			client: payer.account(),
			node: node.clone(),
			epoch,
			moderator: None,
			bytes: total,
		};
		payer.sign(receipt)
	}
}

/// Why a storing relay refused a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptRefusal {
	/// Not a SCALE-encoded signed receipt.
	Undecodable,
	/// For another node, or under a moderator (onion traffic is unmoderated).
	NotForThisNode,
	/// The signature is not the client's for this chain.
	BadSignature,
	/// The relay keeps no receipts (no node account or no receipt book).
	NotKept,
}

/// Checks a receipt an exit sent and keeps it in `sink`.
pub fn take_receipt(
	bytes: &[u8],
	node: Option<&AccountId>,
	genesis: &[u8; 32],
	sink: Option<&dyn ReceiptSink>,
) -> Result<SignedReceipt<AccountId>, ReceiptRefusal> {
	let signed = SignedReceipt::<AccountId>::decode(&mut &bytes[..])
		.map_err(|_| ReceiptRefusal::Undecodable)?;
	let (Some(node), Some(sink)) = (node, sink) else { return Err(ReceiptRefusal::NotKept) };
	if signed.receipt.node != *node || signed.receipt.moderator.is_some() {
		return Err(ReceiptRefusal::NotForThisNode);
	}
	if !receipt::verify(&signed, &H256(*genesis)) {
		return Err(ReceiptRefusal::BadSignature);
	}
	sink.accepted(signed.clone());
	Ok(signed)
}

/// The SCALE bytes a `Receipt` cell carries.
pub fn encode(signed: &SignedReceipt<AccountId>) -> Vec<u8> {
	signed.encode()
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::Pair;

	const GENESIS: [u8; 32] = [3; 32];

	fn key_payer() -> KeyPayer {
		KeyPayer { pair: sr25519::Pair::from_seed(&[1; 32]), genesis: H256(GENESIS), epoch: 4 }
	}

	#[derive(Default)]
	struct Kept(Mutex<Vec<SignedReceipt<AccountId>>>);

	impl ReceiptSink for Kept {
		fn accepted(&self, receipt: SignedReceipt<AccountId>) {
			self.0.lock().unwrap().push(receipt);
		}
	}

	#[test]
	fn receipts_are_cumulative_per_node_and_epoch() {
		let payer = key_payer();
		let ledger = PaidLedger::default();
		let (a, b) = (AccountId::new([7; 32]), AccountId::new([8; 32]));
		assert_eq!(ledger.receipt(&payer, &a, 100).unwrap().receipt.bytes, 100);
		assert_eq!(ledger.receipt(&payer, &b, 5).unwrap().receipt.bytes, 5);
		let second = ledger.receipt(&payer, &a, 50).unwrap();
		assert_eq!(second.receipt.bytes, 150);
		assert_eq!(second.receipt.moderator, None);
		assert_eq!(second.receipt.client, payer.account());
		assert!(receipt::verify(&second, &H256(GENESIS)));
	}

	#[test]
	fn only_sound_receipts_for_this_node_are_kept() {
		let payer = key_payer();
		let node = AccountId::new([7; 32]);
		let kept = Kept::default();
		let good = PaidLedger::default().receipt(&payer, &node, 10).unwrap();
		let take = |bytes: &[u8], genesis: &[u8; 32], sink: Option<&dyn ReceiptSink>| {
			take_receipt(bytes, Some(&node), genesis, sink)
		};
		assert_eq!(take(&[1, 2, 3], &GENESIS, Some(&kept)), Err(ReceiptRefusal::Undecodable));
		assert_eq!(take(&encode(&good), &[9; 32], Some(&kept)), Err(ReceiptRefusal::BadSignature));
		assert_eq!(take(&encode(&good), &GENESIS, None), Err(ReceiptRefusal::NotKept));
		let elsewhere =
			PaidLedger::default().receipt(&payer, &AccountId::new([8; 32]), 10).unwrap();
		assert_eq!(
			take(&encode(&elsewhere), &GENESIS, Some(&kept)),
			Err(ReceiptRefusal::NotForThisNode)
		);
		let mut moderated = good.clone();
		moderated.receipt.moderator = Some(node.clone());
		assert_eq!(
			take(&encode(&moderated), &GENESIS, Some(&kept)),
			Err(ReceiptRefusal::NotForThisNode)
		);
		assert!(kept.0.lock().unwrap().is_empty());
		assert_eq!(take(&encode(&good), &GENESIS, Some(&kept)), Ok(good.clone()));
		assert_eq!(*kept.0.lock().unwrap(), vec![good]);
	}
}
