//! The whole loop against real processes: a dev chain with two content nodes (Dave on the
//! validator, Eve on a second node process) and the `bitcloud` client.
//!
//! 1. A publisher publishes, the moderator lists, both nodes hold the file.
//! 2. A client locks coins and downloads the file several times, verified, spread over both
//!    nodes, paying every range with a receipt.
//! 3. The nodes submit the receipts by themselves; the epochs close; each node's reward is
//!    claimed and its free balance rises by exactly what the reward formula gives from the
//!    runtime's parameters; the moderator receives its commission.
//! 4. A client that stops signing is cut off within the window, and no node is paid for it;
//!    a client that asks for more than its quota is stopped at its quota, and the nodes are
//!    paid for every byte they sent it.
//! 5. Eve's node loses its store; the storage law challenges it, it misses, and its standing
//!    moves along the penalty state machine, in events and the runtime API; Dave's node
//!    answers its challenges and stays Active.

use crate::common::*;
use bitcloud_client::{economy, Rpc};
use bitcloud_content::{
	protocol::{auth_period, sign_request_proof},
	WINDOW_BYTES,
};
use bitcloud_primitives::{EpochIndex, Standing};
use bitcloud_runtime::{
	configs::{bitcloud::PricePerByte, storage_law::FAST_PARAMS},
	RuntimeCall, RuntimeEvent, DEV_EPOCH_BLOCKS,
};
use pallet_bandwidth::{EpochSummary, NodeBytes};
use pallet_rewards::{ClaimStatus, PendingRewards};
use polkadot_sdk::{
	sp_core::crypto::AccountId32,
	sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie},
	sp_runtime::Perbill,
};
use std::{collections::BTreeMap, io::Read};

fn current_epoch(node: &Node) -> EpochIndex {
	let info: pallet_epochs::EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
	info.epoch
}

/// Bytes the chain credited to `node` for `client` under Charlie in `epoch`.
fn claimed(chain: &Node, epoch: EpochIndex, node: Sr25519Keyring, client: Sr25519Keyring) -> u64 {
	chain.runtime_api(
		"BandwidthApi_claimed",
		(epoch, account(node), account(client), Some(account(Charlie))),
	)
}

#[test]
fn receipts_from_real_downloads_pay_the_nodes_and_the_storage_law_penalises_a_lost_store() {
	let dave = Node::start_dev(&[]);
	let eve_base = tempfile::tempdir().expect("a base path");
	let eve_base_path = eve_base.path().to_str().expect("a UTF-8 path").to_string();
	let eve = Node::start_content_peer(&dave.p2p_address(), Eve, &eve_base_path, &[]);
	let (dave_gateway, eve_gateway) = (dave.gateway_url(), eve.gateway_url());
	dave.wait_finalized(2);
	eve.wait_synced_with(&dave);
	dave.set_endpoint(Dave, &dave_gateway);
	dave.set_endpoint(Eve, &eve_gateway);
	let rpc = Rpc::new(&dave.rpc_url);

	// 1. Ferdie publishes a 12 MiB film under Charlie's catalog; Charlie accepts.
	let dir = tempfile::tempdir().expect("a temporary directory");
	let film = file_bytes(0x2545_f491_4f6c_dd1d, 12 * 1024 * 1024 + 7);
	let path = dir.path().join("film.mp4");
	std::fs::write(&path, &film).expect("the film");
	let charlie = account(Charlie).to_string();
	let rpc_url = dave.rpc_url.clone();
	let file = path.to_str().expect("a UTF-8 path");
	let out = bitcloud(&rpc_url, &["--suri", "//Ferdie", "publish", file, "--moderator", &charlie]);
	let stdout = text(&out.stdout);
	assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
	assert!(stdout.contains("proposed to the moderator"), "{stdout}");
	assert!(stdout.contains(&format!("{dave_gateway}  stored")), "{stdout}");
	assert!(stdout.contains(&format!("{eve_gateway}  stored")), "{stdout}");
	let id = bitcloud_primitives::content_id(&film);
	let id_hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
	let accept = RuntimeCall::Moderation(pallet_moderation::Call::accept_proposal { content: id });
	assert!(succeeded(&dave.execute(Charlie, accept)));

	// 2. Bob locks 100 CLD (100 MiB of quota per epoch) and downloads the film three times, paying as he goes.
	let out = bitcloud(&rpc_url, &["--suri", "//Bob", "lock", "100"]);
	assert!(out.status.success(), "{}", text(&out.stderr));
	assert!(text(&out.stdout).contains("locked 100 CLD"), "{}", text(&out.stdout));
	let (_, quota) = economy::quota(&rpc, &account(Bob)).expect("a quota");
	assert!(quota.quota >= 3 * film.len() as u64, "{quota:?}");
	let first_epoch = current_epoch(&dave);
	// The CLI reports what each replica served, verified and paid for with receipts.
	let mut paid: BTreeMap<String, u64> = BTreeMap::new();
	for n in 0..3 {
		let target = dir.path().join(format!("copy-{n}.mp4"));
		let target = target.to_str().expect("a UTF-8 path");
		let out = bitcloud(
			&rpc_url,
			&["--suri", "//Bob", "get", &id_hex, "-o", target, "--moderator", &charlie],
		);
		let stderr = text(&out.stderr);
		assert!(out.status.success(), "{stderr}");
		assert!(!stderr.contains("dropped"), "{stderr}");
		assert_eq!(std::fs::read(target).unwrap(), film, "download {n} is byte-identical");
		for line in stderr.lines() {
			let Some((bytes, gateway)) = line.split_once(" bytes verified from ") else {
				continue;
			};
			*paid.entry(gateway.to_string()).or_default() += bytes.parse::<u64>().unwrap();
		}
	}
	// 4 (while the epoch runs). Alice locks, asks for 10 MiB of the film and never signs:
	// the gateway stops within the window.
	let out = bitcloud(&rpc_url, &["--suri", "//Alice", "lock", "10"]);
	assert!(out.status.success(), "{}", text(&out.stderr));
	let period = auth_period(std::time::SystemTime::now());
	let proof = sign_request_proof(&Alice.pair(), &dave.block_hash(0), &account(Dave), period);
	let response = ureq::get(format!("{dave_gateway}/content/{id_hex}"))
		.header("bitcloud-client", format!("0x{}", hex(&account(Alice))))
		.header("bitcloud-auth", proof)
		.header("range", format!("bytes=0-{}", (10 << 20) - 1))
		.call()
		.expect("the gateway answers");
	assert_eq!(response.status(), 206);
	let mut received = Vec::new();
	let _ = response.into_body().into_reader().read_to_end(&mut received);
	assert!(received.len() as u64 <= WINDOW_BYTES, "{} bytes sent unsigned", received.len());
	assert!(received.len() < 10 << 20);

	// The attack of issue 15: Ferdie locks 1 CLD (1 MiB of quota per epoch) and asks for the
	// 12 MiB film, paying. The nodes stop at his quota; the client says why.
	let out = bitcloud(&rpc_url, &["--suri", "//Ferdie", "lock", "1"]);
	assert!(out.status.success(), "{}", text(&out.stderr));
	let target = dir.path().join("greedy.mp4");
	let target = target.to_str().expect("a UTF-8 path");
	let out = bitcloud(
		&rpc_url,
		&["--suri", "//Ferdie", "get", &id_hex, "-o", target, "--moderator", &charlie],
	);
	let stderr = text(&out.stderr);
	assert!(!out.status.success(), "{stderr}");
	assert!(stderr.contains("quota"), "{stderr}");
	let greedy: u64 = stderr
		.split("stopped after ")
		.nth(1)
		.and_then(|rest| rest.split(' ').next())
		.and_then(|bytes| bytes.parse().ok())
		.unwrap_or_else(|| panic!("the client says how far it got: {stderr}"));
	assert!(greedy > 0 && greedy < film.len() as u64, "{stderr}");
	let last_epoch = current_epoch(&dave);

	// 3. The nodes submit Bob's receipts once their epochs close: the chain credits exactly
	// the bytes each node served him.
	let credited = |node: Sr25519Keyring| -> u64 {
		(first_epoch..=last_epoch).map(|epoch| claimed(&dave, epoch, node, Bob)).sum()
	};
	let expected = |gateway: &str| paid.get(gateway).copied().unwrap_or(0);
	dave.wait_for("both nodes' receipts to be credited", || {
		(credited(Dave) == expected(&dave_gateway) && credited(Eve) == expected(&eve_gateway))
			.then_some(())
	});
	let ferdie_claimed = || -> u64 {
		(first_epoch..=last_epoch)
			.flat_map(|epoch| [Dave, Eve].map(|node| claimed(&dave, epoch, node, Ferdie)))
			.sum()
	};
	dave.wait_for("Ferdie's receipts to be submitted", || {
		(ferdie_claimed() == greedy).then_some(())
	});

	// Every epoch with receipts is final three epochs after it started.
	let final_from = (last_epoch + 3) * DEV_EPOCH_BLOCKS;
	let (mut reached, _) = dave.finalized_head();
	while reached < final_from {
		reached = dave.wait_finalized((reached + 20).min(final_from)).0;
	}
	// Alice signed nothing: no node was paid for what she took.
	for epoch in first_epoch..=last_epoch {
		assert_eq!(claimed(&dave, epoch, Dave, Alice), 0);
		assert_eq!(claimed(&dave, epoch, Eve, Alice), 0);
	}
	// Every byte served to Ferdie was signed and submitted (credited within his quota, or
	// paid from his lock past it), and no node served him more than his quota in an epoch.
	let ferdie_signed: u64 = (first_epoch..=last_epoch)
		.flat_map(|epoch| [Dave, Eve].map(|node| claimed(&dave, epoch, node, Ferdie)))
		.sum();
	assert_eq!(ferdie_signed, greedy);
	for epoch in first_epoch..=last_epoch {
		for node in [Dave, Eve] {
			assert!(claimed(&dave, epoch, node, Ferdie) <= 1 << 20, "{node} in epoch {epoch}");
		}
	}

	// Alice claims for both nodes, epoch by epoch: each free balance rises by exactly the
	// formula's node part, Charlie's by his 10 % commissions.
	let mut commissions = 0u128;
	for epoch in first_epoch..=last_epoch {
		// Every client's credited bytes count: Bob's, and Ferdie's within his quota.
		let summary: EpochSummary = dave.runtime_api("BandwidthApi_epoch_totals", epoch);
		let total = summary.total_bytes;
		let pot: u128 = dave.runtime_api("RewardsApi_emission", epoch);
		for node in [Dave, Eve] {
			let figures: NodeBytes<AccountId32> =
				dave.runtime_api("BandwidthApi_node_bytes", (account(node), epoch));
			let bytes = figures.total;
			if bytes == 0 {
				continue;
			}
			let share = pot * u128::from(bytes) / u128::from(total);
			let reward = share.min(PricePerByte::get() * u128::from(bytes));
			let commission = Perbill::from_percent(10) * reward;
			let pending: PendingRewards<AccountId32, u128> =
				dave.runtime_api("RewardsApi_pending_rewards", (account(node), epoch));
			assert_eq!(pending.status, ClaimStatus::Claimable, "{node} in epoch {epoch}");
			assert_eq!((pending.total, pending.node_part), (reward, reward - commission));
			let before = dave.account(&account(node), None).data.free;
			let node_account = account(node).to_string();
			let epoch_text = epoch.to_string();
			let out = bitcloud(
				&rpc_url,
				&["--suri", "//Alice", "claim", &epoch_text, "--node", &node_account],
			);
			assert!(out.status.success(), "{}", text(&out.stderr));
			let after = dave.account(&account(node), None).data.free;
			assert_eq!(after - before, reward - commission, "{node} in epoch {epoch}");
			commissions += commission;
		}
	}
	assert!(commissions > 0);

	// 5. Eve's node loses its store. Root turns the storage law on: each node is challenged
	// every epoch. Dave's node answers by itself; Eve's cannot, misses and is warned.
	std::fs::remove_dir_all(format!("{eve_base_path}/content/objects")).expect("Eve's objects");
	let law = RuntimeCall::StorageLaw(pallet_storage_law::Call::set_params { params: FAST_PARAMS });
	assert!(succeeded(&dave.execute(Alice, sudo(law))));
	let mut lowered = None;
	let mut dave_passed = false;
	let mut from = dave.finalized_head().0;
	dave.wait_for("Eve to be warned and Dave to pass a challenge", || {
		let (head, _) = dave.finalized_head();
		for number in from..=head {
			for record in dave.events(dave.block_hash(number)) {
				match record.event {
					RuntimeEvent::StorageLaw(pallet_storage_law::Event::StandingLowered {
						node,
						from,
						to,
						..
					}) if node == account(Eve) => lowered = Some((from, to)),
					RuntimeEvent::StorageLaw(pallet_storage_law::Event::ChallengePassed {
						node,
						..
					}) if node == account(Dave) => dave_passed = true,
					_ => {},
				}
			}
		}
		from = head + 1;
		(lowered.is_some() && dave_passed).then_some(())
	});
	assert_eq!(lowered, Some((Standing::Active, Standing::Warned)));
	let out = bitcloud(&rpc_url, &["standing", &account(Eve).to_string()]);
	assert!(text(&out.stdout).contains("standing: Warned"), "{}", text(&out.stdout));
	let eve_standing = economy::standing(&rpc, &account(Eve)).unwrap().expect("a node");
	assert_eq!(eve_standing.standing, Standing::Warned);
	assert!(eve_standing.total_strikes >= 1);
	let dave_standing = economy::standing(&rpc, &account(Dave)).unwrap().expect("a node");
	assert_eq!(dave_standing.standing, Standing::Active);
	assert!(dave_standing.passed >= 1);

	assert!(eve.stop().success());
	assert!(dave.stop().success());
}

fn hex(account: &AccountId32) -> String {
	let bytes: &[u8; 32] = account.as_ref();
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}
