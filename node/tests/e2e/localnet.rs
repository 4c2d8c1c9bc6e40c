//! `scripts/localnet --check`: the whole network of the default size (four validators of
//! `--chain local`, two content nodes, three relays and a storing relay) started from the
//! built binaries, registered with the `bitcloud` CLI, and tried end to end by the script:
//! a moderated publish, a paid download from the content nodes, an anonymous publish and
//! download through the relays. The script shuts the network down before it exits.
//!
//! The script listens on fixed ports (30400–30443, 9620–9663, 9950–9983, 8180–8193), below
//! the range the other tests get from the OS, so it runs beside them; two runs of this test
//! at once on one machine would collide, and the second would stop at its port check.

use crate::common::*;
use std::{path::Path, process::Command};

#[test]
fn the_localnet_script_starts_a_network_whose_check_passes() {
	let base = tempfile::tempdir().expect("a base directory");
	let node = Path::new(env!("CARGO_BIN_EXE_bitcloud-node"));
	let bin_dir = node.parent().expect("the node binary's directory");
	assert_eq!(bitcloud_binary().parent(), Some(bin_dir), "bitcloud sits beside bitcloud-node");
	let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/localnet");
	let output = Command::new("bash")
		.arg(&script)
		.args(["--check", "--fresh", "--base-dir"])
		.arg(base.path())
		.arg("--bin-dir")
		.arg(bin_dir)
		.env_remove("BITCLOUD_SURI")
		.env_remove("BITCLOUD_KEY_FILE")
		.output()
		.expect("bash runs scripts/localnet");
	let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
	let report = format!("---- stdout ----\n{stdout}\n---- stderr ----\n{stderr}");
	assert!(output.status.success(), "scripts/localnet --check: {}\n{report}", output.status);
	for step in ["PASS  1.", "PASS  2.", "PASS  3."] {
		assert!(stdout.contains(step), "{step} missing\n{report}");
	}
	assert!(!stdout.contains("FAIL"), "{report}");
	// Ten nodes, each with its base path, and none left running once the script is done.
	for name in ["alice", "bob", "charlie", "dave", "content-1", "content-2", "relay-4"] {
		assert!(base.path().join(name).is_dir(), "{name} had its base path\n{report}");
	}
	assert!(stdout.contains("stopping 10 nodes"), "{report}");
	let left = processes_mentioning(&base.path().to_string_lossy());
	assert!(left.is_empty(), "processes left running: {left:?}\n{report}");
	println!("{stdout}");
}

/// The command lines of running processes that contain `text` (from `/proc`).
fn processes_mentioning(text: &str) -> Vec<String> {
	let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
	entries
		.filter_map(Result::ok)
		.filter(|entry| entry.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
		.filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
		.map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
		.filter(|command| command.contains(text))
		.collect()
}
