//! The `bitcloud` command's own behaviour: keys, and the errors it gives before it talks to
//! any node.

use std::process::{Command, Output};

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
