//! End to end through the unmoderated layer: a dev chain and four node processes on
//! loopback. Dave's node (the validator) stores unmoderated content and relays; Eve's,
//! Ferdie's and Bob's nodes relay. A client publishes a file anonymously with the `bitcloud`
//! CLI and downloads it through a three-hop circuit, byte-identical and verified; the middle
//! relay is killed mid-transfer and the client rebuilds through other relays and finishes.
//! Alice stores a file with `bitcloud store put --anonymous` (an unmoderated lease; the file
//! and her index published through circuits), gets it back with `store get --anonymous`, and
//! Dave's node, which stored it, joins the lease as its keeper. Charlie publishes a website
//! with `bitcloud site publish --anonymous`; the gateway refuses it over plain HTTP, and
//! `bitcloud site browse --anonymous` serves it on loopback through circuits, by path.

use crate::common::*;
use bitcloud_onion::OnionSecret;
use bitcloud_primitives::LeaseId;
use bitcloud_runtime::{genesis_presets::SAMPLE_NODE_BOND, AccountId, RuntimeCall};
use pallet_leases::LeaseView;
use polkadot_sdk::sp_keyring::Sr25519Keyring::{self, Bob, Dave, Eve, Ferdie};
use std::{
	io::{BufRead, BufReader, Read, Write},
	path::Path,
	process::{Child, Command, Stdio},
	sync::Mutex,
};

/// Makes `who` an onion relay at `endpoint` with its development onion key: a registered
/// node's operator does it with `bitcloud relay`, a new node registers with the key.
fn register_relay(dave: &Node, who: Sr25519Keyring, endpoint: &str) {
	let onion_key = OnionSecret::dev(account(who).as_ref()).public();
	let registered: Option<bitcloud_client::NodeView> =
		dave.runtime_api("NodesApi_node", account(who));
	if registered.is_some() {
		let key = format!("0x{}", hex::encode(onion_key));
		let suri = format!("//{who:?}");
		let args = ["--suri", &suri, "relay", "--onion-key", &key, "--endpoint", endpoint];
		let output = bitcloud(&dave.rpc_url, &args);
		assert!(output.status.success(), "{who:?}: {}", text(&output.stderr));
		assert!(text(&output.stdout).contains("carries unmoderated traffic"));
		return;
	}
	let call = pallet_nodes::Call::register_node {
		bond: SAMPLE_NODE_BOND,
		capacity: 1 << 30,
		endpoint: endpoint.as_bytes().to_vec(),
		onion_key,
		unmoderated: true,
	};
	let events = dave.execute(who, RuntimeCall::Nodes(call));
	assert!(succeeded(&events), "{who:?}: {events:?}");
}

#[test]
fn anonymous_publish_and_download_survive_a_killed_middle_relay() {
	let dave = Node::start_dev(&["--onion-store"]);
	let bootnode = dave.p2p_address();
	let bases: Vec<_> = (0..3).map(|_| tempfile::tempdir().expect("a base path")).collect();
	let relay_accounts = [Eve, Ferdie, Bob];
	let mut relays: Vec<Option<Node>> = relay_accounts
		.iter()
		.zip(&bases)
		.map(|(who, base)| {
			let base = base.path().to_str().expect("a UTF-8 path");
			Some(Node::start_content_peer(&bootnode, *who, base, &["--onion"]))
		})
		.collect();
	dave.wait_finalized(1);
	register_relay(&dave, Dave, &dave.gateway_url());
	for (who, relay) in relay_accounts.iter().zip(&relays) {
		register_relay(&dave, *who, &relay.as_ref().expect("running").gateway_url());
	}
	let rpc = bitcloud_client::Rpc::new(&dave.rpc_url);
	let listed = dave.wait_for("four onion relays on chain", || {
		let relays = bitcloud_client::anonymous::relays(&rpc).ok()?;
		(relays.len() == 4).then_some(relays)
	});
	assert!(listed.iter().all(|relay| relay.onion_key != [0; 32]));

	// Anonymous publishing with the CLI: no key, no moderator; Dave's node stores it.
	let dir = tempfile::tempdir().expect("a directory");
	let bytes = file_bytes(8, 24 << 20);
	let file = dir.path().join("unmoderated.bin");
	std::fs::write(&file, &bytes).expect("the file is written");
	let output =
		bitcloud(&dave.rpc_url, &["publish", file.to_str().expect("UTF-8"), "--anonymous"]);
	assert!(output.status.success(), "{}", text(&output.stderr));
	let stdout = text(&output.stdout);
	let id_hex = stdout
		.lines()
		.find_map(|line| line.strip_prefix("id: "))
		.expect("the CLI prints the id")
		.to_string();
	assert_eq!(id_hex, hex::encode(blake3::hash(&bytes).as_bytes()));
	dave.wait_for("Dave's node to store the content", || {
		dave.log().iter().any(|line| line.contains("stored unmoderated content")).then_some(())
	});
	// Unmoderated content never goes out over plain HTTP.
	let plain = ureq::get(format!("{}/content/{id_hex}", dave.gateway_url())).call();
	assert!(plain.is_err(), "the gateway refuses unlisted content");

	anonymous_storage_round_trip(&dave, dir.path());
	anonymous_site_round_trip(&dave, dir.path());

	// Download through Eve → Ferdie → Bob; Ferdie is killed once a third has arrived.
	let id = bitcloud_content::parse_id(&id_hex).expect("an id");
	let via = vec![account(Eve), account(Ferdie), account(Bob)];
	let anonymous = bitcloud_client::anonymous::anonymous(&rpc, Some(via.clone())).expect("relays");
	let middle = Mutex::new(relays[1].take());
	let mut progress = |done: u64, size: u64| {
		if done >= size / 3 {
			if let Some(node) = middle.lock().expect("lock").take() {
				drop(node);
			}
		}
	};
	let out = dir.path().join("downloaded.bin");
	let report =
		bitcloud_client::anonymous::get(&anonymous, &id, &out, &mut progress).expect("downloaded");
	assert!(middle.lock().expect("lock").is_none(), "the middle relay was killed mid-transfer");
	assert_eq!(std::fs::read(&out).expect("the output"), bytes);
	assert_eq!(report.bytes, bytes.len() as u64);
	assert_eq!(report.circuits[0], via);
	assert!(report.circuits.len() >= 2, "the circuit was rebuilt: {report:?}");
	// Operators see it in Prometheus: the guard opened circuits and extended them.
	let metrics = relays[0].as_ref().expect("Eve's node runs").metrics();
	for event in ["circuit_opened", "circuit_extended", "frame_forwarded"] {
		let label = format!("event=\"{event}\"");
		let count = counter(&metrics, "bitcloud_onion_relay_events_total", &label);
		assert!(count > 0.0, "{label}: {metrics}");
	}
	assert!(metrics.contains("bitcloud_onion_circuits_open"), "{metrics}");
	let last = report.circuits.last().expect("a last circuit");
	assert!(!last.contains(&account(Ferdie)), "{report:?}");

	// The CLI too, with random circuits: Ferdie is still listed, so a circuit through it
	// fails to build and another is built.
	let out = dir.path().join("cli.bin");
	let output = bitcloud(
		&dave.rpc_url,
		&["get", &id_hex, "-o", out.to_str().expect("UTF-8"), "--anonymous"],
	);
	assert!(output.status.success(), "{}", text(&output.stderr));
	assert_eq!(std::fs::read(&out).expect("the output"), bytes);
	assert!(text(&output.stderr).contains("circuit: "), "{}", text(&output.stderr));

	// Bad input: an unknown id is refused for good, and --via must name relays.
	let output = bitcloud(
		&dave.rpc_url,
		&["get", &"ab".repeat(32), "-o", out.to_str().expect("UTF-8"), "--anonymous"],
	);
	assert!(!output.status.success());
	assert!(text(&output.stderr).contains("NotFound"), "{}", text(&output.stderr));
	let output = bitcloud(
		&dave.rpc_url,
		&["get", &id_hex, "-o", out.to_str().expect("UTF-8"), "--anonymous", "--via", "nobody"],
	);
	assert!(!output.status.success());

	// An operator withdraws the offer: clients stop choosing Eve's node.
	let output = bitcloud(&dave.rpc_url, &["--suri", "//Eve", "relay", "--stop"]);
	assert!(output.status.success(), "{}", text(&output.stderr));
	let output = bitcloud(&dave.rpc_url, &["relays"]);
	let listed = text(&output.stdout);
	assert_eq!(listed.lines().count(), 3, "{listed}");
	let eve = relays[0].as_ref().expect("Eve's node runs").gateway_url();
	assert!(!listed.contains(&eve), "{listed}");
	drop(relays);
}

/// `bitcloud --suri //Alice store ARGS...` against `node`: whether it succeeded, its output.
fn store_as_alice(node: &Node, args: &[&str]) -> (bool, String) {
	let args: Vec<&str> =
		["--suri", "//Alice", "store"].into_iter().chain(args.iter().copied()).collect();
	let output = bitcloud(&node.rpc_url, &args);
	let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
	(output.status.success(), said)
}

/// Alice stores a small file anonymously and gets it back through circuits; the storing
/// relay's node (Dave's) joins its unmoderated lease as keeper.
fn anonymous_storage_round_trip(dave: &Node, dir: &std::path::Path) {
	let plain = b"Alice's anonymous notes: kept by a node that does not know whose.".repeat(20);
	let file = dir.join("notes.txt");
	std::fs::write(&file, &plain).expect("a file");
	let path = file.to_str().expect("UTF-8");
	let (ok, out) = store_as_alice(dave, &["put", path, "--anonymous", "--replicas", "1"]);
	assert!(ok, "{out}");
	assert!(out.contains("(an onion exit)  onion  took all"), "{out}");
	let lease: LeaseId = out
		.lines()
		.find_map(|line| line.strip_prefix("stored notes.txt"))
		.and_then(|rest| rest.split("lease ").nth(1)?.split_whitespace().next()?.parse().ok())
		.unwrap_or_else(|| panic!("a lease for notes.txt in {out}"));
	let view: Option<LeaseView<AccountId, u128>> = dave.runtime_api("LeasesApi_lease", lease);
	let view = view.expect("the lease exists");
	assert_eq!((view.moderator, view.owner), (None, account(Sr25519Keyring::Alice)));

	// Back through circuits: the index, then the file, byte-identical.
	let back = dir.join("notes.back");
	let out_arg = back.to_str().expect("UTF-8");
	let (ok, out) = store_as_alice(dave, &["get", "notes.txt", "-o", out_arg, "--anonymous"]);
	assert!(ok, "{out}");
	assert_eq!(std::fs::read(&back).expect("the output"), plain);
	assert!(out.contains("verified from onion"), "{out}");

	// Dave's node holds the ciphertext as unmoderated content and keeps the lease.
	dave.wait_for("Dave's node to keep the anonymous lease", || {
		let view: Option<LeaseView<AccountId, u128>> = dave.runtime_api("LeasesApi_lease", lease);
		view.filter(|view| view.keepers.iter().any(|k| k.node == account(Dave)))
	});
}

/// An anonymous site's files: (path, contents).
const SITE: [(&str, &str); 4] = [
	("index.html", r#"<!doctype html><title>Home</title><a href="docs/">Docs</a>"#),
	(
		"docs/index.html",
		r#"<!doctype html><title>Docs</title><a href="guide/intro.html">Intro</a>"#,
	),
	("docs/guide/intro.html", "<!doctype html><title>Intro</title><h1>Intro</h1>"),
	("404.html", "<!doctype html><title>Not found</title><h1>Not here</h1>"),
];

/// An answer over a raw connection: status, head (lowercase header names) and body.
struct Answer {
	status: u16,
	head: String,
	body: String,
}

impl Answer {
	fn header(&self, name: &str) -> Option<&str> {
		self.head.lines().find_map(|line| {
			let (key, value) = line.split_once(':')?;
			key.eq_ignore_ascii_case(name).then(|| value.trim())
		})
	}
}

/// `METHOD path` with `Host: host` at `addr` (`IP:PORT`), the path sent as written.
fn ask(addr: &str, method: &str, host: &str, path: &str) -> Answer {
	let mut stream = std::net::TcpStream::connect(addr).expect("it listens");
	let request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
	stream.write_all(request.as_bytes()).expect("a request");
	let mut answer = String::new();
	let _ = stream.read_to_string(&mut answer);
	let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
	let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
	Answer { status, head: head.to_string(), body: body.to_string() }
}

/// The value of `field: ` in a CLI's output.
fn field<'a>(stdout: &'a str, field: &str) -> &'a str {
	stdout
		.lines()
		.find_map(|line| line.strip_prefix(&format!("{field}: ")))
		.unwrap_or_else(|| panic!("no {field} in: {stdout}"))
}

/// A child process killed when dropped (the test may panic while it runs).
struct Killed(Child);

impl Drop for Killed {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// Charlie publishes a site anonymously; Dave's gateway will not serve it over plain HTTP;
/// `bitcloud site browse --anonymous` serves it on loopback through circuits, every page as
/// published, with the gateway's rules (index documents, redirect, fallback, path tricks).
fn anonymous_site_round_trip(dave: &Node, dir: &Path) {
	let site_dir = dir.join("anonymous-site");
	for (path, contents) in SITE {
		let file = site_dir.join(path);
		std::fs::create_dir_all(file.parent().expect("a parent")).expect("a directory");
		std::fs::write(file, contents).expect("a page");
	}
	let site_arg = site_dir.to_str().expect("UTF-8");
	let args = ["--suri", "//Charlie", "site", "publish", site_arg, "--anonymous"];
	let extra = ["--replicas", "1", "--epochs", "20", "--fallback", "404.html"];
	let output = bitcloud(&dave.rpc_url, &[&args[..], &extra[..]].concat());
	let stdout = text(&output.stdout);
	assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
	assert_eq!(field(&stdout, "files"), "4", "{stdout}");
	assert!(stdout.contains("(an onion exit)  onion  took all"), "{stdout}");
	assert!(stdout.contains("leased 5 objects unmoderated"), "{stdout}");
	let cid = field(&stdout, "cid").to_string();
	let site: [u8; 32] = from_hex(&format!("0x{}", field(&stdout, "site"))).try_into().expect("32");

	// The manifest is leased unmoderated by Charlie, so a storing node keeps it and is paid.
	let leases: Vec<LeaseId> = dave.runtime_api("LeasesApi_leases_of_content", site);
	let view: Option<LeaseView<AccountId, u128>> = dave.runtime_api("LeasesApi_lease", leases[0]);
	let view = view.expect("the manifest's lease");
	assert_eq!((view.moderator, view.owner), (None, account(Sr25519Keyring::Charlie)));

	// Unmoderated: the gateway does not serve it over plain HTTP, whatever the host.
	let gateway = dave.gateway_url();
	let gateway_addr = gateway.trim_start_matches("http://");
	let port = gateway.rsplit(':').next().expect("a port");
	let plain = ask(gateway_addr, "GET", &format!("{cid}.localhost:{port}"), "/");
	assert_eq!(plain.status, 404, "{}", plain.body);
	assert_ne!(plain.body, SITE[0].1);

	// The proxy refuses to listen where others could use it.
	let output =
		bitcloud(&dave.rpc_url, &["site", "browse", &cid, "--anonymous", "--listen", "0.0.0.0:9"]);
	assert!(!output.status.success());
	assert!(text(&output.stderr).contains("--public-listen"), "{}", text(&output.stderr));

	// Browsed through circuits on loopback.
	let listen = format!("127.0.0.1:{}", free_port());
	let mut proxy = Killed(
		Command::new(bitcloud_binary())
			.args(["--rpc", &dave.rpc_url, "site", "browse", &cid, "--anonymous"])
			.args(["--listen", &listen])
			.stdout(Stdio::piped())
			.stderr(Stdio::inherit())
			.spawn()
			.expect("bitcloud site browse starts"),
	);
	let stdout = proxy.0.stdout.take().expect("its output");
	let said: Vec<String> = BufReader::new(stdout)
		.lines()
		.map_while(Result::ok)
		.take_while(|line| !line.starts_with("browse: "))
		.collect();
	assert!(said.iter().any(|line| line == "files: 4"), "the proxy did not start: {said:?}");
	let host = format!("{cid}.localhost:{}", listen.rsplit(':').next().expect("a port"));
	for (path, file) in [("/", 0), ("/index.html", 0), ("/docs/", 1), ("/docs/guide/intro.html", 2)]
	{
		let answer = ask(&listen, "GET", &host, path);
		assert_eq!((answer.status, answer.body.as_str()), (200, SITE[file].1), "{path}");
		assert_eq!(answer.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
		assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
	}
	// By address too, as curl asks.
	assert_eq!(ask(&listen, "GET", &listen, "/docs/guide/intro.html").body, SITE[2].1);
	let redirect = ask(&listen, "GET", &host, "/docs");
	assert_eq!((redirect.status, redirect.header("location")), (308, Some("/docs/")));
	let missing = ask(&listen, "GET", &host, "/nothing/here.html");
	assert_eq!((missing.status, missing.body.as_str()), (404, SITE[3].1));
	assert_eq!(missing.header("cache-control"), Some("no-cache"));
	for trick in ["/../index.html", "/docs/%2e%2e/%2e%2e/etc/passwd", "/docs%5c..%5cindex.html"] {
		let answer = ask(&listen, "GET", &host, trick);
		assert_eq!(answer.status, 400, "{trick}: {}", answer.body);
		assert!(answer.body.starts_with("bad path"), "{trick}: {}", answer.body);
	}
	assert_eq!(ask(&listen, "POST", &host, "/").status, 405);
	let head = ask(&listen, "HEAD", &host, "/");
	let length = SITE[0].1.len().to_string();
	assert_eq!((head.status, head.header("content-length")), (200, Some(length.as_str())));
	// A page whose name rebinds to 127.0.0.1 is not answered.
	assert_eq!(ask(&listen, "GET", "evil.example", "/").status, 403);
	drop(proxy);
	assert!(std::net::TcpStream::connect(&listen).is_err(), "the proxy is stopped");
}
