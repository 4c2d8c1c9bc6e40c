//! The `bitcloud` command's own behaviour: keys, and the errors it gives before it talks to
//! any node.

use std::{
	io::{BufRead, BufReader, Read, Write},
	net::TcpListener,
	process::{Command, Output},
};

fn bitcloud(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_bitcloud"))
		.args(args)
		.env_remove("BITCLOUD_SURI")
		.env_remove("BITCLOUD_KEY_FILE")
		.output()
		.expect("bitcloud runs")
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn generated_keys_are_written_privately_and_shown_again() {
	let dir = tempfile::tempdir().unwrap();
	let file = dir.path().join("me.key");
	let path = file.to_str().unwrap();
	let out = bitcloud(&["keys", "generate", "--out", path]);
	assert!(out.status.success(), "{}", text(&out.stderr));
	let address = text(&out.stdout).trim().to_string();
	assert!(!address.is_empty());
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
		assert_eq!(mode, 0o600);
	}
	let out = bitcloud(&["--key-file", path, "keys", "show"]);
	assert!(text(&out.stdout).contains(&format!("address: {address}")), "{}", text(&out.stdout));
	// Never overwritten.
	let out = bitcloud(&["keys", "generate", "--out", path]);
	assert!(!out.status.success());
	assert!(text(&out.stderr).contains("cannot create key file"), "{}", text(&out.stderr));
	// A printed key comes with its phrase.
	let out = bitcloud(&["keys", "generate"]);
	assert!(text(&out.stdout).contains("secret phrase: "));
}

#[test]
fn dev_uris_give_the_well_known_addresses() {
	let out = bitcloud(&["--suri", "//Alice", "keys", "show"]);
	let stdout = text(&out.stdout);
	assert!(
		stdout.contains(
			"public key: 0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
		),
		"{stdout}"
	);
}

#[test]
fn bad_arguments_get_clear_errors() {
	let id = "ab".repeat(32);
	let key = format!("0x{}", "11".repeat(32));
	let cases: [(&[&str], &str); 9] = [
		(&["keys", "show"], "needs your key"),
		(&["--suri", "not a secret at all", "keys", "show"], "not a usable secret"),
		(&["get", &id, "-o", "/tmp/never"], "say where to download from"),
		(
			&["get", "abcd", "-o", "/tmp/never", "--gateway", "http://127.0.0.1:9"],
			"a content id is 64 hex",
		),
		(&["catalog", "nobody"], "is not an account"),
		(&["get", "--stripe", "0", "ab", "-o", "x"], "0 is not in 1..=16"),
		(&["relay", "--onion-key", &key], "needs your key"),
		(&["--suri", "//Eve", "relay", "--onion-key", "0x1234"], "is not an onion key"),
		(&["--suri", "//Eve", "relay", "--stop", "--onion-key", &key], "cannot be used with"),
	];
	for (args, expected) in cases {
		let out = bitcloud(args);
		assert!(!out.status.success(), "{args:?}");
		assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
	}
}

/// `bitcloud node register` with good arguments, except for those `extra` gives, and with no
/// node to ask.
fn register(extra: &[&str]) -> Output {
	let base =
		[("--bond", "100"), ("--capacity", "10GiB"), ("--endpoint", "http://127.0.0.1:8080")];
	// Nothing listens there: every case must fail before asking a node.
	let mut args = vec!["--suri", "//Eve", "--rpc", "http://127.0.0.1:9", "node", "register"];
	for (flag, value) in base {
		if !extra.contains(&flag) {
			args.extend([flag, value]);
		}
	}
	args.extend_from_slice(extra);
	bitcloud(&args)
}

#[test]
fn operator_commands_check_their_arguments_before_any_chain() {
	let key = format!("0x{}", "11".repeat(32));
	let register_cases: [(&[&str], &str); 9] = [
		(&["--unmoderated"], "--unmoderated needs --onion-key"),
		(&["--capacity", "0"], "the size must be more than 0"),
		(&["--capacity", "0GiB"], "the size must be more than 0"),
		(&["--capacity", "12XB"], "unknown unit"),
		(&["--capacity", "16EiB"], "too large"),
		(&["--capacity", "1.5TiB"], "whole number"),
		(&["--bond", "lots"], "is not an amount of CLD"),
		(&["--endpoint", "127.0.0.1:8080"], "is not a gateway URL"),
		(&["--moderator", "nobody"], "is not an account"),
	];
	for (extra, expected) in register_cases {
		let out = register(extra);
		assert!(!out.status.success(), "{extra:?}");
		assert!(text(&out.stderr).contains(expected), "{extra:?}: {}", text(&out.stderr));
		assert!(!text(&out.stderr).contains("unreachable"), "{extra:?} asked a node");
	}
	let out = register(&["--onion-key", "0x1234", "--unmoderated"]);
	assert!(text(&out.stderr).contains("is not an onion key"), "{}", text(&out.stderr));

	let offline = ["--rpc", "http://127.0.0.1:9"];
	let cases: [(&[&str], &str); 11] = [
		(
			&["node", "register", "--bond", "100", "--capacity", "1GiB", "--endpoint", "http://a"],
			"needs your key",
		),
		(&["--suri", "//Eve", "node", "update"], "nothing to change"),
		(&["--suri", "//Eve", "node", "update", "--capacity", "0"], "more than 0"),
		(&["--suri", "//Eve", "node", "update", "--endpoint", "ftp://x"], "not a gateway URL"),
		(&["--suri", "//Eve", "node", "update", "--unmoderated", "maybe"], "invalid value 'maybe'"),
		(&["--suri", "//Eve", "node", "update", "--onion-key", &key[..10]], "not an onion key"),
		(&["--suri", "//Eve", "node", "subscribe", "nobody"], "is not an account"),
		(&["--suri", "//Eve", "node", "bond-extra", "1.2.3"], "is not an amount of CLD"),
		(&["node", "deregister"], "needs your key"),
		(&["node", "show"], "needs your key"),
		(&["validator", "keys"], "needs your key"),
	];
	for (args, expected) in cases {
		let args = [&offline[..], args].concat();
		let out = bitcloud(&args);
		assert!(!out.status.success(), "{args:?}");
		assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
	}
}

/// A JSON-RPC endpoint that answers one request with `error` and returns the request's body.
fn refusing_node(error: &'static str) -> (String, std::thread::JoinHandle<String>) {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", listener.local_addr().unwrap());
	let server = std::thread::spawn(move || {
		let (stream, _) = listener.accept().unwrap();
		let mut reader = BufReader::new(stream.try_clone().unwrap());
		let mut length = 0;
		loop {
			let mut line = String::new();
			reader.read_line(&mut line).unwrap();
			if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
				length = value.trim().parse().unwrap();
			}
			if line.trim().is_empty() {
				break;
			}
		}
		let mut body = vec![0; length];
		reader.read_exact(&mut body).unwrap();
		let answer = format!(r#"{{"jsonrpc":"2.0","id":1,"error":{error}}}"#);
		let mut stream = stream;
		write!(
			stream,
			"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
			answer.len()
		)
		.unwrap();
		String::from_utf8(body).unwrap()
	});
	(url, server)
}

#[test]
fn a_node_refusing_the_unsafe_rpc_gets_a_way_out() {
	let (url, server) =
		refusing_node(r#"{"code":-32601,"message":"RPC call is unsafe to be called externally"}"#);
	let out = bitcloud(&["--suri", "//Alice", "validator", "keys", "--node-rpc", &url]);
	let request = server.join().unwrap();
	// The owner is Alice's account, SCALE-encoded: its 32 bytes.
	assert!(request.contains("author_rotateKeysWithOwner"), "{request}");
	assert!(
		request.contains("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
		"{request}"
	);
	assert!(!out.status.success());
	let stderr = text(&out.stderr);
	assert!(stderr.contains("unsafe to be called externally"), "{stderr}");
	assert!(stderr.contains("its own node"), "{stderr}");
	assert!(stderr.contains("--rpc-methods unsafe"), "{stderr}");
}
