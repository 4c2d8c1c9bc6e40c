//! Personal storage against the real dev chain: Ferdie stores a directory encrypted with
//! `bitcloud store put` under Charlie's storage offer; Dave's node keeps it (its disk holds no
//! plaintext byte of it), joins the lease, answers the storage law's challenges on it from its
//! store and is paid epoch by epoch until the paid epochs are over; Ferdie lists and gets the
//! files back on a "new machine" (nothing but the same secret); Bob reads a file Ferdie shares
//! with him; Bob's keys open nothing of Ferdie's; removing a file ends its lease.

use crate::common::*;
use bitcloud_client::ss58;
use bitcloud_primitives::{EpochIndex, LeaseId};
use bitcloud_runtime::{configs::storage_law::FAST_PARAMS, AccountId, RuntimeCall, RuntimeEvent};
use pallet_leases::LeaseView;
use polkadot_sdk::sp_keyring::Sr25519Keyring::{Alice, Charlie, Dave, Eve};
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
	let bob = ss58(&account(polkadot_sdk::sp_keyring::Sr25519Keyring::Bob));
	let (ok, out, err) = store(&rpc, "//Ferdie", &["share", "backup/docs/notes.txt", "--to", &bob]);
	assert!(!ok && err.contains("store init"), "Bob has no key yet: {out}{err}");
	let (ok, out, err) = store(&rpc, "//Bob", &["init"]);
	assert!(ok && out.contains("published"), "{out}{err}");
	let (ok, out, err) = store(&rpc, "//Ferdie", &["share", "backup/docs/notes.txt", "--to", &bob]);
	assert!(ok, "{out}{err}");
	let share: String = out
		.split("share ")
		.nth(1)
		.and_then(|r| r.split_whitespace().next())
		.expect("a share id")
		.to_string();
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
	// Bob's own storage is empty: his keys name nothing of Ferdie's.
	let (ok, out, _) = store(&rpc, "//Bob", &["ls"]);
	assert!(ok && out.contains("nothing stored yet"), "{out}");
	// Ferdie's index opens with Ferdie's keys only.
	let index: Option<LeaseId> = node
		.runtime_api("LeasesApi_index", account(polkadot_sdk::sp_keyring::Sr25519Keyring::Ferdie));
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
