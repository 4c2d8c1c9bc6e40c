//! Whether the JavaScript checks can run (the polkadot-js scripts of `scripts/js`, the WeTube
//! browser tests of `apps/wetube`): one home for the Rust tests that run them
//! (`primitives/tests/polkadot_js.rs`, `node/tests/e2e/{polkadot_js,wetube}.rs`), which include
//! this file with `#[path]`.

use std::{io::Write, path::PathBuf, process::Command};

/// `scripts/js`, seen from the crate at `manifest_dir` (one level below the repository).
pub fn scripts_dir(manifest_dir: &str) -> PathBuf {
	PathBuf::from(manifest_dir).join("../scripts/js")
}

/// Whether Node.js runs and `npm ci` installed `package` in `scripts/js`. Without them the
/// test fails, unless `BITCLOUD_SKIP_JS=1` asks to skip it: then it says that `check` is not
/// checked on the terminal (written past the test harness's capture, so a passing run shows
/// it).
pub fn polkadot_js_ready(manifest_dir: &str, package: &str, check: &str) -> bool {
	js_ready(&scripts_dir(manifest_dir), package, check)
}

/// Whether Node.js runs and `npm ci` installed `package` in the JavaScript project at `dir`
/// (`scripts/js`, `apps/wetube`); as [`polkadot_js_ready`] otherwise.
pub fn js_ready(dir: &std::path::Path, package: &str, check: &str) -> bool {
	let node_runs = Command::new("node")
		.arg("--version")
		.output()
		.map(|output| output.status.success())
		.unwrap_or(false);
	let modules = dir.join("node_modules").join(package);
	let missing = if !node_runs {
		"`node` is not installed".to_owned()
	} else if !modules.exists() {
		format!("{} is missing", modules.display())
	} else {
		return true;
	};
	if std::env::var("BITCLOUD_SKIP_JS").as_deref() == Ok("1") {
		let _ = writeln!(std::io::stderr(), "SKIPPED: {missing}, so {check} is not checked");
		return false;
	}
	panic!(
		"{missing}: install Node.js and run `npm ci` in {} (scripts/test does both), \
		 or set BITCLOUD_SKIP_JS=1 to skip checking {check}",
		dir.display()
	);
}
