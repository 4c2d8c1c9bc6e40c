//! End to end with two content nodes as real processes: a publisher publishes a file with the
//! `bitcloud` CLI, the moderator accepts it, the second node replicates it from the first, and
//! a client downloads it byte-identical and verified across both, finishing from the honest
//! node while the other serves tampered bytes.

use crate::{common::*, proxy::HonestAndLying};
use bitcloud_client::{download, replicas_of, ss58, Replica, Rpc, Signer};
use bitcloud_runtime::RuntimeCall;
use polkadot_sdk::sp_keyring::Sr25519Keyring::Charlie;

#[test]
fn a_published_file_is_replicated_and_downloaded_verified_despite_a_tampering_node() {
	// Dave's content node is the dev chain's validator; Eve's runs in a second node process
	// that follows the chain through the first. On chain, Dave's gateway is itself; Eve's is
	// a proxy that tampers with what it relays.
	let HonestAndLying { dave, eve, dave_gateway, eve_gateway, proxy, eve_base: _eve_base } =
		HonestAndLying::start();

	// Ferdie publishes with the CLI: proposed to Charlie, pushed to Charlie's nodes (Dave
	// stores it; the proxy takes no uploads).
	let dir = tempfile::tempdir().expect("a temporary directory");
	let original = file_bytes(0x9e37_79b9_7f4a_7c15, 4 * 1024 * 1024 + 123);
	let file = dir.path().join("clip.mp4");
	std::fs::write(&file, &original).expect("the test file");
	let id = bitcloud_primitives::content_id(&original);
	let id_hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
	let charlie = ss58(&account(Charlie));
	let rpc = dave.rpc_url.clone();
	let out = bitcloud(
		&rpc,
		&["--suri", "//Ferdie", "publish", file.to_str().unwrap(), "--moderator", &charlie],
	);
	let stdout = text(&out.stdout);
	assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
	assert!(stdout.contains(&format!("id: {id_hex}")), "{stdout}");
	assert!(stdout.contains("proposed to the moderator"), "{stdout}");
	assert!(stdout.contains(&format!("{dave_gateway}  stored")), "{stdout}");
	assert!(stdout.contains(&format!("{proxy}  failed")), "{stdout}");
	// Proposed, not listed: Dave holds it but does not serve it yet.
	let agent: ureq::Agent =
		ureq::Agent::config_builder().http_status_as_error(false).build().into();
	let status = |url: &str| agent.get(format!("{url}/content/{id_hex}")).call().unwrap().status();
	assert_eq!(status(&dave_gateway), 404);

	// Charlie accepts: listed with the publisher's title and type.
	let events = dave.execute(
		Charlie,
		RuntimeCall::Moderation(pallet_moderation::Call::accept_proposal { content: id }),
	);
	assert!(succeeded(&events), "{events:?}");
	let out = bitcloud(&rpc, &["catalog", &charlie]);
	let catalog = text(&out.stdout);
	assert!(catalog.contains(&id_hex) && catalog.contains("clip.mp4"), "{catalog}");
	assert!(catalog.contains("video/mp4"), "{catalog}");
	assert_eq!(status(&dave_gateway), 200);

	// Eve's node replicates it from Dave's gateway, verified.
	eve.wait_for("Eve's node to replicate the file", || {
		(status(&eve_gateway) == 200).then_some(())
	});

	// A client downloads through the library: replicas in the chain's order, ranges from
	// both; the tampering node is caught on its first range and the rest comes from Dave.
	let client = Signer::from_suri("//Ferdie").expect("a dev key");
	let chain = Rpc::new(&rpc);
	let replicas = replicas_of(&chain, &account(Charlie), &id, &client.account()).unwrap();
	let mut gateways: Vec<&str> = replicas.iter().map(|r| r.gateway.as_str()).collect();
	gateways.sort();
	let mut expected = vec![dave_gateway.as_str(), proxy.as_str()];
	expected.sort();
	assert_eq!(gateways, expected);
	let target = dir.path().join("downloaded.mp4");
	let report = download(replicas, &id, &target, 2, None, &mut |_, _| {}).unwrap();
	assert_eq!(std::fs::read(&target).unwrap(), original, "byte-identical");
	assert_eq!(report.failures.len(), 1, "{report:?}");
	let (dropped, reason) = &report.failures[0];
	assert_eq!(dropped.gateway, proxy);
	assert!(reason.contains("do not match the content id"), "{reason}");
	let from_dave: u64 =
		report.served.iter().filter(|(r, _)| r.gateway == dave_gateway).map(|(_, n)| n).sum();
	assert_eq!(from_dave, original.len() as u64);

	// The same with the CLI (without a key: unpaid).
	let target = dir.path().join("cli.mp4");
	let out =
		bitcloud(&rpc, &["get", &id_hex, "-o", target.to_str().unwrap(), "--moderator", &charlie]);
	let stderr = text(&out.stderr);
	assert!(out.status.success(), "{}{stderr}", text(&out.stdout));
	assert_eq!(std::fs::read(&target).unwrap(), original);
	assert!(stderr.contains(&format!("dropped {proxy}")), "{stderr}");

	// Eve's own copy, straight from her gateway, is the same file.
	let target = dir.path().join("eve.mp4");
	let out = bitcloud(
		&rpc,
		&["--gateway", &eve_gateway, "get", &id_hex, "-o", target.to_str().unwrap()],
	);
	assert!(out.status.success(), "{}", text(&out.stderr));
	assert_eq!(std::fs::read(&target).unwrap(), original);
	let direct = vec![Replica { node: None, gateway: eve_gateway.clone() }];
	assert!(download(direct, &id, &target, 1, None, &mut |_, _| {}).unwrap().failures.is_empty());

	// Bad input to the CLI: a clear error, a failing exit code, no file.
	let nowhere = dir.path().join("nowhere");
	let out = bitcloud(
		&rpc,
		&["get", "not-an-id", "-o", nowhere.to_str().unwrap(), "--moderator", &charlie],
	);
	assert!(!out.status.success() && text(&out.stderr).contains("bitcloud:"));
	let unknown: String = "ab".repeat(32);
	let out = bitcloud(
		&rpc,
		&["get", &unknown, "-o", nowhere.to_str().unwrap(), "--moderator", &charlie],
	);
	assert!(text(&out.stderr).contains("does not list"), "{}", text(&out.stderr));
	let out = bitcloud(
		&rpc,
		&["--suri", "//Ferdie", "publish", "/no/such/file", "--moderator", &charlie],
	);
	assert!(text(&out.stderr).contains("cannot read /no/such/file"), "{}", text(&out.stderr));
	let out = bitcloud(&rpc, &["publish", file.to_str().unwrap(), "--moderator", &charlie]);
	assert!(text(&out.stderr).contains("needs your key"), "{}", text(&out.stderr));
	assert!(!nowhere.exists());

	assert!(eve.stop().success());
	assert!(dave.stop().success());
}
