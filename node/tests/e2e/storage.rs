//! Personal storage against the real dev chain: Ferdie stores a directory encrypted with
//! `bitcloud store put` under Charlie's storage offer; Dave's node keeps it (its disk holds no
//! plaintext byte of it), joins the lease, answers the storage law's challenges on it from its
//! store and is paid epoch by epoch until the paid epochs are over; Ferdie lists and gets the
//! files back on a "new machine" (nothing but the same secret); Bob reads a file Ferdie shares
//! with him; Bob's keys open nothing of Ferdie's; removing a file ends its lease. Ferdie renews
//! a file (its lease and the index's paid exactly that many epochs more, for exactly their
//! price); a path not stored renews nothing; Ferdie takes back a share and Bob dismisses
//! another, each releasing its deposit.

use crate::common::*;
use bitcloud_client::{economy::format_cld, ss58};
use bitcloud_primitives::{EpochIndex, LeaseId};
use bitcloud_runtime::{
	configs::storage_law::FAST_PARAMS, AccountId, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason,
};
use pallet_leases::{LeaseView, ShareView};
use polkadot_sdk::{
	frame_support::traits::tokens::IdAmount,
	pallet_balances, pallet_transaction_payment,
	sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie},
};
use std::path::{Path, PathBuf};

/// A line of Ferdie's text file, found nowhere on the node's disk.
const MARKER: &str = "Ferdie's private notes: the combination is 12-34-56.";

/// Epochs the leases are paid for.
const EPOCHS: EpochIndex = 3;

fn store(rpc: &str, suri: &str, args: &[&str]) -> (bool, String, String) {
	let args: Vec<&str> =
		["--suri", suri, "store"].into_iter().chain(args.iter().copied()).collect();
	let out = bitcloud(rpc, &args);
	(out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
	let mut found = Vec::new();
	for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
		let path = entry.path();
		match entry.file_type() {
			Ok(kind) if kind.is_dir() => found.extend(files_under(&path)),
			Ok(kind) if kind.is_file() => found.push(path),
			_ => {},
		}
	}
	found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
	haystack.windows(needle.len()).any(|window| window == needle)
}

fn lease(node: &Node, id: LeaseId) -> Option<LeaseView<AccountId, u128>> {
	node.runtime_api("LeasesApi_lease", id)
}

/// What `who` has on hold for the shares it sent (`ShareDeposit`), at the best block.
fn share_deposits(node: &Node, who: &AccountId) -> u128 {
	let key = pallet_balances::Holds::<Runtime>::hashed_key_for(who);
	let holds: Vec<IdAmount<RuntimeHoldReason, u128>> =
		node.decoded_storage(&key, None).unwrap_or_default();
	let reason = RuntimeHoldReason::Leases(pallet_leases::HoldReason::ShareDeposit);
	holds.iter().filter(|hold| hold.id == reason).map(|hold| hold.amount).sum()
}

/// The fees `who` paid in the blocks after `from` up to `to`.
fn fees_paid(node: &Node, who: &AccountId, from: u32, to: u32) -> u128 {
	let mut fees = 0;
	for number in from + 1..=to {
		for record in node.events(node.block_hash(number)) {
			if let RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid {
					who: payer,
					actual_fee,
					..
				},
			) = record.event
			{
				if payer == *who {
					fees += actual_fee;
				}
			}
		}
	}
	fees
}

/// What topping `view` up by `epochs` holds: price × bytes × replicas × epochs.
fn top_up_cost(view: &LeaseView<AccountId, u128>, epochs: EpochIndex) -> u128 {
	view.price * u128::from(view.bytes) * u128::from(view.replicas) * u128::from(epochs)
}

/// The share id in the output of `store share`.
fn share_id(out: &str) -> String {
	out.split("share ")
		.nth(1)
		.and_then(|r| r.split_whitespace().next())
		.unwrap_or_else(|| panic!("a share id in {out}"))
		.to_string()
}

/// The lease id of `path` in `store ls` output.
fn lease_of(listing: &str, path: &str) -> LeaseId {
	let line = listing
		.lines()
		.find(|line| line.starts_with(path))
		.unwrap_or_else(|| panic!("{path} in {listing}"));
	let rest = line.split("lease ").nth(1).expect("a lease");
	rest.split_whitespace().next().and_then(|id| id.parse().ok()).expect("a lease id")
}

#[test]
fn files_are_stored_encrypted_kept_paid_for_shared_and_recovered_with_the_secret_alone() {
	let content_dir = tempfile::tempdir().expect("a directory");
	let content = content_dir.path().to_str().expect("UTF-8").to_string();
	let node = Node::start_dev(&["--content-dir", &content]);
	let gateway = node.gateway_url();
	node.set_endpoint(Dave, &gateway);
	node.set_endpoint(Eve, "http://127.0.0.1:9");
	let rpc = node.rpc_url.clone();
	let charlie = ss58(&account(Charlie));

	// Ferdie's directory: a text file and a nested binary file.
	let home = tempfile::tempdir().expect("a directory");
	let docs = home.path().join("docs");
	std::fs::create_dir_all(docs.join("nested")).expect("a directory");
	std::fs::write(docs.join("notes.txt"), MARKER.repeat(50)).expect("a file");
	let binary = file_bytes(0x5eed, 200_000);
	std::fs::write(docs.join("nested/photo.bin"), &binary).expect("a file");

	let docs_arg = docs.to_str().expect("UTF-8");
	let epochs = EPOCHS.to_string();
	let (ok, out, err) = store(
		&rpc,
		"//Ferdie",
		&[
			"put",
			docs_arg,
			"--moderator",
			&charlie,
			"--replicas",
			"1",
			"--epochs",
			&epochs,
			"--as",
			"backup",
		],
	);
	assert!(ok, "{out}{err}");
	assert!(out.contains("stored backup/docs/notes.txt"), "{out}");
	assert!(out.contains("stored backup/docs/nested/photo.bin"), "{out}");
	assert!(out.contains(&format!("{gateway}  took all")), "{out}");

	// Dave's disk holds ciphertext only.
	for file in files_under(content_dir.path()) {
		let bytes = std::fs::read(&file).unwrap_or_default();
		assert!(!contains(&bytes, MARKER.as_bytes()), "plaintext in {}", file.display());
		assert!(!contains(&bytes, &binary[1000..1064]), "plaintext in {}", file.display());
	}

	// Listed, with a lease each; Dave joins them as their keeper.
	let (ok, listing, err) = store(&rpc, "//Ferdie", &["ls"]);
	assert!(ok, "{listing}{err}");
	let notes_lease = lease_of(&listing, "backup/docs/notes.txt");
	let photo_lease = lease_of(&listing, "backup/docs/nested/photo.bin");
	// Paid for three epochs, the index is running out: `ls` says so, and what to do.
	assert!(listing.contains("warning: your index is paid for"), "{listing}");
	assert!(listing.contains("bitcloud store renew"), "{listing}");

	// Renewing a path that is not stored is refused and changes nothing.
	let ferdie = account(Ferdie);
	let index: Option<LeaseId> = node.runtime_api("LeasesApi_index", &ferdie);
	let index_lease = index.expect("Ferdie has an index");
	let photo_before = lease(&node, photo_lease).expect("the photo's lease");
	let index_before = lease(&node, index_lease).expect("the index's lease");
	let nonce = node.next_nonce(&ferdie);
	let (ok, out, err) =
		store(&rpc, "//Ferdie", &["renew", "backup/docs/missing.txt", "--epochs", "2"]);
	assert!(!ok, "{out}{err}");
	assert!(
		err.contains("not a file in your storage: backup/docs/missing.txt")
			&& err.contains("nothing is renewed"),
		"{err}"
	);
	assert_eq!(node.next_nonce(&ferdie), nonce, "no transaction was sent");
	assert_eq!(lease(&node, photo_lease).map(|v| v.paid_until), Some(photo_before.paid_until));
	assert_eq!(lease(&node, index_lease).map(|v| v.paid_until), Some(index_before.paid_until));

	// Ferdie renews the photo: its lease and the index's are paid exactly MORE epochs further,
	// and his free balance drops by exactly their price (and the transactions' fees).
	const MORE: EpochIndex = 2;
	let expected = top_up_cost(&photo_before, MORE) + top_up_cost(&index_before, MORE);
	let (before, at) = node.wait_finalized(node.best_number());
	let free_before = node.account(&ferdie, Some(at)).data.free;
	let more = MORE.to_string();
	let (ok, out, err) =
		store(&rpc, "//Ferdie", &["renew", "backup/docs/nested/photo.bin", "--epochs", &more]);
	assert!(ok, "{out}{err}");
	let photo_after = lease(&node, photo_lease).expect("the photo's lease");
	let index_after = lease(&node, index_lease).expect("the index's lease");
	assert_eq!(photo_after.paid_until, photo_before.paid_until + MORE);
	assert_eq!(index_after.paid_until, index_before.paid_until + MORE);
	assert!(
		out.contains(&format!(
			"renewed backup/docs/nested/photo.bin  lease {photo_lease}  paid until epoch {} (was \
			 {})",
			photo_after.paid_until, photo_before.paid_until
		)),
		"{out}"
	);
	assert!(out.contains(&format!("renewed (index)  lease {index_lease}")), "{out}");
	assert!(
		out.contains(&format!("held for {MORE} more epochs of 2 leases: {}", format_cld(expected))),
		"{out}"
	);
	let (after, at) = node.wait_finalized(node.best_number());
	let free_after = node.account(&ferdie, Some(at)).data.free;
	let fees = fees_paid(&node, &ferdie, before, after);
	assert_eq!(free_before - free_after, expected + fees, "held exactly the renewal's price");
	let dave = account(Dave);
	let joined = wait_long("Dave to keep the notes' lease", || {
		let view = lease(&node, notes_lease)?;
		let keeper = view.keepers.iter().find(|k| k.node == dave)?;
		Some((view.clone(), keeper.paid_from))
	});
	let (view, paid_from) = joined;
	assert_eq!(view.moderator, Some(account(Charlie)));
	assert_eq!(view.paid_until, view.start + EPOCHS);

	// "A new machine": nothing but the secret; the files come back byte for byte.
	let new_machine = tempfile::tempdir().expect("a directory");
	let out_notes = new_machine.path().join("notes.txt");
	let (ok, out, err) = store(
		&rpc,
		"//Ferdie",
		&["get", "backup/docs/notes.txt", "-o", out_notes.to_str().unwrap()],
	);
	assert!(ok, "{out}{err}");
	assert_eq!(std::fs::read_to_string(&out_notes).unwrap(), MARKER.repeat(50));
	let out_photo = new_machine.path().join("photo.bin");
	let (ok, out, err) = store(
		&rpc,
		"//Ferdie",
		&["get", "backup/docs/nested/photo.bin", "-o", out_photo.to_str().unwrap()],
	);
	assert!(ok, "{out}{err}");
	assert_eq!(std::fs::read(&out_photo).unwrap(), binary);

	// Ferdie shares the notes with Bob, who reads them; Eve's inbox has nothing.
	let bob = ss58(&account(Bob));
	let (ok, out, err) = store(&rpc, "//Ferdie", &["share", "backup/docs/notes.txt", "--to", &bob]);
	assert!(!ok && err.contains("store init"), "Bob has no key yet: {out}{err}");
	let (ok, out, err) = store(&rpc, "//Bob", &["init"]);
	assert!(ok && out.contains("published"), "{out}{err}");
	let (ok, out, err) = store(&rpc, "//Ferdie", &["share", "backup/docs/notes.txt", "--to", &bob]);
	assert!(ok, "{out}{err}");
	let share = share_id(&out);
	let (ok, inbox, err) = store(&rpc, "//Bob", &["inbox"]);
	assert!(ok && inbox.contains("notes.txt"), "{inbox}{err}");
	let bobs = new_machine.path().join("bobs.txt");
	let (ok, out, err) =
		store(&rpc, "//Bob", &["get", "--shared", &share, "-o", bobs.to_str().unwrap()]);
	assert!(ok, "{out}{err}");
	assert_eq!(std::fs::read_to_string(&bobs).unwrap(), MARKER.repeat(50));
	let eves = new_machine.path().join("eves.txt");
	let (ok, _, err) =
		store(&rpc, "//Eve", &["get", "--shared", &share, "-o", eves.to_str().unwrap()]);
	assert!(!ok && !eves.exists(), "Eve cannot use Bob's share: {err}");
	// Ferdie's deposit is held for the share; a second share holds another, released when
	// Ferdie takes it back (only he can), and the first is released when Bob dismisses it.
	let inbox: Vec<ShareView<AccountId, u128>> = node.runtime_api("LeasesApi_shares", account(Bob));
	let deposit = inbox.first().expect("Bob's share").deposit;
	assert!(deposit > 0);
	assert_eq!(share_deposits(&node, &ferdie), deposit);
	let (ok, out, err) = store(&rpc, "//Ferdie", &["share", "backup/docs/notes.txt", "--to", &bob]);
	assert!(ok, "{out}{err}");
	let second = share_id(&out);
	assert_eq!(share_deposits(&node, &ferdie), 2 * deposit);
	let (ok, out, err) = store(&rpc, "//Eve", &["unshare", &second, "--to", &bob]);
	assert!(!ok && err.contains("only its sender can take it back"), "{out}{err}");
	let (ok, out, err) = store(&rpc, "//Ferdie", &["unshare", &second, "--to", &bob]);
	assert!(ok && out.contains(&format!("took back share {second}")), "{out}{err}");
	assert_eq!(share_deposits(&node, &ferdie), deposit);
	let (ok, out, err) = store(&rpc, "//Bob", &["dismiss", &share]);
	assert!(ok && out.contains(&format!("dismissed share {share}")), "{out}{err}");
	let (ok, inbox, err) = store(&rpc, "//Bob", &["inbox"]);
	assert!(ok && inbox.contains("your inbox is empty"), "{inbox}{err}");
	assert_eq!(share_deposits(&node, &ferdie), 0, "Ferdie's deposits are released");
	let (ok, out, err) = store(&rpc, "//Bob", &["dismiss", &share]);
	assert!(!ok && err.contains(&format!("no share {share} in your inbox")), "{out}{err}");

	// Bob's own storage is empty: his keys name nothing of Ferdie's.
	let (ok, out, _) = store(&rpc, "//Bob", &["ls"]);
	assert!(ok && out.contains("nothing stored yet"), "{out}");
	// Ferdie's index opens with Ferdie's keys only.
	let index: Option<LeaseId> = node.runtime_api("LeasesApi_index", &ferdie);
	let index = lease(&node, index.expect("Ferdie has an index")).expect("its lease");
	let id: String = index.content.iter().map(|b| format!("{b:02x}")).collect();
	let sealed = ureq::get(format!("{gateway}/content/{id}"))
		.call()
		.expect("served")
		.body_mut()
		.read_to_vec()
		.expect("bytes");
	let bob_keys = bitcloud_vault::VaultKeys::from_secret(&[7u8; 32]).expect("keys");
	let refused =
		bitcloud_vault::Index::open(&bob_keys, &sealed).expect_err("another key opens nothing");
	assert!(refused.to_string().contains("wrong key"), "{refused}");

	// Removing a file ends its lease.
	let (ok, out, err) = store(&rpc, "//Ferdie", &["rm", "backup/docs/nested/photo.bin"]);
	assert!(ok, "{out}{err}");
	assert!(lease(&node, photo_lease).is_some_and(|view| view.ended), "the photo's lease ended");
	let (_, listing, _) = store(&rpc, "//Ferdie", &["ls"]);
	assert!(
		!listing.contains("photo.bin") && listing.contains("backup/docs/notes.txt"),
		"{listing}"
	);

	// The storage law challenges Dave on what he keeps (from now on: unpaid downloads of
	// challenged chunks would wait); he answers from his store.
	let law_on =
		sudo(RuntimeCall::StorageLaw(pallet_storage_law::Call::set_params { params: FAST_PARAMS }));
	assert!(succeeded(&node.execute(Alice, law_on)));

	// Dave is paid for every whole epoch he kept the notes, and nothing past their paid epochs.
	wait_long("the notes' paid epochs to end and Dave to claim them all", || {
		let view = lease(&node, notes_lease)?;
		let keeper = view.keepers.iter().find(|k| k.node == dave)?;
		(keeper.paid_from == view.paid_until && keeper.due == 0).then_some(())
	});
	let (last, _) = node.wait_finalized(node.best_number());
	let mut paid = 0u128;
	let mut lease_challenges_passed = 0;
	let mut lease_challenges = std::collections::BTreeSet::new();
	for number in 1..=last {
		for record in node.events(node.block_hash(number)) {
			match record.event {
				RuntimeEvent::Leases(pallet_leases::Event::KeeperPaid {
					lease,
					node: who,
					amount,
					..
				}) if lease == notes_lease && who == dave => paid += amount,
				RuntimeEvent::StorageLaw(pallet_storage_law::Event::ChallengeIssued {
					challenge_id,
					node: who,
					kind: pallet_storage_law::ChallengeKind::Lease(_),
					..
				}) if who == dave => {
					lease_challenges.insert(challenge_id);
				},
				RuntimeEvent::StorageLaw(pallet_storage_law::Event::ChallengePassed {
					challenge_id,
					..
				}) if lease_challenges.contains(&challenge_id) => lease_challenges_passed += 1,
				_ => {},
			}
		}
	}
	let epochs_kept = u128::from(view.paid_until - paid_from);
	assert_eq!(paid, view.price * u128::from(view.bytes) * epochs_kept, "paid per byte-epoch kept");
	assert!(epochs_kept >= 1, "Dave kept at least one whole epoch");
	let after = lease(&node, notes_lease).expect("the lease is not closed yet");
	assert_eq!(after.funds, view.funds - paid, "the rest stays for the owner");
	assert!(lease_challenges_passed >= 1, "Dave passed a challenge on a lease he keeps");
	// Nothing more accrues once the paid epochs are over.
	let now: pallet_epochs::EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
	node.wait_for("another epoch", || {
		let later: pallet_epochs::EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
		(later.epoch > now.epoch).then_some(())
	});
	let later = lease(&node, notes_lease).expect("the lease");
	assert!(later.keepers.iter().all(|k| k.due == 0), "nothing accrues past the paid epochs");
}

/// Polls `check` for up to ten minutes: leases run for whole epochs.
fn wait_long<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
	let start = std::time::Instant::now();
	loop {
		if let Some(value) = check() {
			return value;
		}
		assert!(start.elapsed() < std::time::Duration::from_secs(600), "timed out: {what}");
		std::thread::sleep(std::time::Duration::from_millis(500));
	}
}
