//! The receipt book on disk: newest receipt per key, kept across restarts, torn tails
//! ignored, another chain's book refused, batch verification naming forgeries. (Limits,
//! refusals, corrupt records and compaction: the unit tests of `book.rs`.)

use bitcloud_content::{
	book::{verify_batch, Kept, Limits, NotKept},
	BookError, ReceiptBook,
};
use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	AccountId,
};
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::io::Write;

const GENESIS: H256 = H256::repeat_byte(1);

fn open(dir: &std::path::Path, genesis: H256) -> Result<ReceiptBook, BookError> {
	ReceiptBook::open(dir, genesis, Limits::new(33)).map(|(book, _)| book)
}

fn signed(client: &str, epoch: u32, bytes: u64) -> SignedReceipt<AccountId> {
	let pair = sr25519::Pair::from_string(client, None).unwrap();
	let receipt = Receipt {
		client: pair.public().into(),
		node: AccountId::new([9; 32]),
		epoch,
		moderator: None,
		bytes,
	};
	receipt::sign(receipt, &pair, &GENESIS)
}

fn bytes_held(book: &ReceiptBook) -> Vec<(u32, u64)> {
	book.receipts().iter().map(|s| (s.receipt.epoch, s.receipt.bytes)).collect()
}

#[test]
fn the_newest_receipt_per_key_survives_a_restart() {
	let dir = tempfile::tempdir().unwrap();
	{
		let book = open(dir.path(), GENESIS).unwrap();
		assert!(matches!(book.insert(signed("//Ferdie", 4, 100)), Ok(Kept::New)));
		assert!(matches!(book.insert(signed("//Ferdie", 4, 300)), Ok(Kept::Replaced)));
		assert!(
			matches!(book.insert(signed("//Ferdie", 4, 200)), Err(NotKept::NotNewer { held: 300 })),
			"older: not kept"
		);
		assert!(book.insert(signed("//Ferdie", 5, 50)).is_ok());
		assert!(book.insert(signed("//Bob", 4, 7)).is_ok());
		// No sync: a killed process still leaves what was written to the OS.
	}
	let book = open(dir.path(), GENESIS).unwrap();
	let mut held = bytes_held(&book);
	held.sort();
	assert_eq!(held, vec![(4, 7), (4, 300), (5, 50)]);
}

#[test]
fn a_torn_tail_is_ignored_and_the_rest_kept() {
	let dir = tempfile::tempdir().unwrap();
	{
		let book = open(dir.path(), GENESIS).unwrap();
		book.insert(signed("//Ferdie", 4, 100)).unwrap();
		book.sync().unwrap();
	}
	let log = dir.path().join("receipts.log");
	let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
	file.write_all(&[200, 0, 0, 0, 1, 2, 3]).unwrap();
	drop(file);
	let book = open(dir.path(), GENESIS).unwrap();
	assert_eq!(bytes_held(&book), vec![(4, 100)]);
	// The log was rewritten clean: more receipts append after a reopen.
	book.insert(signed("//Ferdie", 4, 150)).unwrap();
	drop(book);
	assert_eq!(bytes_held(&open(dir.path(), GENESIS).unwrap()), vec![(4, 150)]);
}

#[test]
fn a_book_of_another_chain_or_no_book_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	drop(open(dir.path(), GENESIS).unwrap());
	let other = H256::repeat_byte(2);
	match open(dir.path(), other) {
		Err(BookError::OtherChain { held, chain }) => assert_eq!((held, chain), (GENESIS, other)),
		Err(e) => panic!("{e}"),
		Ok(_) => panic!("another chain's book was opened"),
	}
	std::fs::write(dir.path().join("receipts.log"), b"garbage").unwrap();
	assert!(matches!(open(dir.path(), GENESIS), Err(BookError::NotABook(_))));
}

#[test]
fn pruning_drops_old_epochs_for_good() {
	let dir = tempfile::tempdir().unwrap();
	let book = open(dir.path(), GENESIS).unwrap();
	for epoch in 1..=5 {
		book.insert(signed("//Ferdie", epoch, 10)).unwrap();
	}
	assert_eq!(book.prune(4).unwrap(), 3);
	drop(book);
	let book = open(dir.path(), GENESIS).unwrap();
	assert_eq!(bytes_held(&book), vec![(4, 10), (5, 10)]);
}

#[test]
fn batch_verification_keeps_valid_receipts_and_drops_forged_ones() {
	let good: Vec<_> = (0..20).map(|n| signed(&format!("//client{n}"), 4, 100 + n)).collect();
	let (valid, forged) = verify_batch(good.clone(), &GENESIS);
	assert_eq!((valid.len(), forged.len()), (20, 0));
	let mut mixed = good.clone();
	mixed[7].receipt.bytes += 1;
	let forged = mixed[7].clone();
	let (valid, dropped) = verify_batch(mixed, &GENESIS);
	assert_eq!((valid.len(), dropped.clone()), (19, vec![forged.clone()]));
	assert!(!valid.contains(&forged));
	let (valid, dropped) = verify_batch(good, &H256::repeat_byte(3));
	assert_eq!((valid.len(), dropped.len()), (0, 20));
}
