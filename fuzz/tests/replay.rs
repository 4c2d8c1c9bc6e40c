//! Replays every committed input of every fuzz target through its harness, as an ordinary
//! test: the seeds (`seeds/<target>/`, made by the real encoders and by hand) and the
//! minimised corpus the fuzzer grew (`corpus/<target>/`, crashes found included). A bug a
//! fuzzer found cannot come back unnoticed, and a format change that makes the encoders'
//! seeds undecodable fails here rather than leaving the fuzzer to explore only refusals.

mod seeds;

use bitcloud_fuzz::{Harness, Outcome, TARGETS};
use std::{
	fs,
	panic::{self, AssertUnwindSafe},
	path::{Path, PathBuf},
};

/// The committed inputs stay small (the guide: a few hundred KB in all).
const MAX_COMMITTED_BYTES: u64 = 1 << 20;

fn fuzz_dir() -> &'static Path {
	Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none if it does not exist).
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
	let Ok(entries) = fs::read_dir(fuzz_dir().join(kind).join(target)) else { return Vec::new() };
	let mut files: Vec<_> = entries
		.map(|entry| entry.expect("a directory entry").path())
		.filter(|path| path.is_file())
		.collect();
	files.sort();
	files
}

fn harness(target: &str) -> Harness {
	TARGETS.iter().find(|(name, _)| *name == target).expect("a target of TARGETS").1
}

/// Runs `data` through `harness`; the panic message, if it panics.
fn run(harness: Harness, data: &[u8]) -> Result<Outcome, String> {
	panic::catch_unwind(AssertUnwindSafe(|| harness(data))).map_err(|payload| {
		payload
			.downcast_ref::<String>()
			.cloned()
			.or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
			.unwrap_or_default()
	})
}

/// A seed the harness must accept.
fn is_valid_seed(name: &str) -> bool {
	name.starts_with("valid-")
}

fn replay(target: &str) {
	let harness = harness(target);
	let seeds = files("seeds", target);
	assert!(
		seeds.iter().any(|path| is_valid_seed(&path.file_name().unwrap().to_string_lossy())),
		"{target}: no valid seed in seeds/{target}/"
	);
	// A target whose seeds reach all it can reach has no corpus of its own.
	let corpus = files("corpus", target);
	let mut failures = Vec::new();
	for path in seeds.iter().chain(&corpus) {
		let data = fs::read(path).expect("a committed input");
		let name = path.file_name().unwrap().to_string_lossy();
		match run(harness, &data) {
			Ok(Outcome::Refused)
				if path.starts_with(fuzz_dir().join("seeds")) && is_valid_seed(&name) =>
			{
				failures.push(format!("{}: a valid seed is refused", path.display()))
			},
			Ok(_) => {},
			Err(message) => failures.push(format!("{}: panicked: {message}", path.display())),
		}
	}
	assert!(failures.is_empty(), "{target}: {failures:#?}");
}

macro_rules! replay_tests {
	($($target:ident),* $(,)?) => {
		/// The targets replayed by a test of their own.
		const REPLAYED: &[&str] = &[$(stringify!($target)),*];
		$(
			#[test]
			fn $target() {
				replay(stringify!($target));
			}
		)*
	};
}

replay_tests!(
	receipt,
	signed_receipt,
	storage_proof,
	cell,
	handshake,
	range,
	book,
	content_id,
	request_proof,
	outboard,
	site_manifest,
);

#[test]
fn every_target_has_a_binary_a_replay_and_seeds() {
	let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("the manifest");
	let mut binaries: Vec<String> = fs::read_dir(fuzz_dir().join("fuzz_targets"))
		.expect("fuzz_targets/")
		.map(|entry| entry.expect("an entry").path())
		.filter_map(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
		.collect();
	binaries.sort();
	let mut targets: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
	targets.sort();
	assert_eq!(binaries, targets, "fuzz_targets/*.rs and TARGETS");
	for target in &targets {
		assert!(REPLAYED.contains(&target.as_str()), "{target} is not replayed");
		assert!(
			manifest.contains(&format!("name = \"{target}\"\npath = \"fuzz_targets/{target}.rs\"")),
			"{target} has no [[bin]] in Cargo.toml"
		);
	}
	let seeded: std::collections::BTreeSet<_> = seeds::all().iter().map(|seed| seed.0).collect();
	assert_eq!(seeded.len(), targets.len(), "a target without seeds");
}

#[test]
fn the_encoders_seeds_are_accepted_and_the_edges_do_not_panic() {
	for (target, name, bytes) in seeds::all() {
		let outcome = run(harness(target), &bytes).unwrap_or_else(|message| {
			panic!("{target}/{name}: panicked: {message}");
		});
		if is_valid_seed(&name) {
			assert_eq!(outcome, Outcome::Accepted, "{target}/{name}");
		}
	}
}

#[test]
fn committed_inputs_stay_small() {
	let mut total = 0;
	for kind in ["seeds", "corpus"] {
		for (target, _) in TARGETS {
			for path in files(kind, target) {
				total += fs::metadata(&path).expect("a committed input").len();
			}
		}
	}
	assert!(total <= MAX_COMMITTED_BYTES, "{total} bytes of seeds and corpora: minimise them");
}

/// Writes `seeds/<target>/` afresh from the encoders (run by hand after a format change).
#[test]
#[ignore = "writes seeds/: run by hand after a format change"]
fn write_seeds() {
	for (target, _) in TARGETS {
		let _ = fs::remove_dir_all(fuzz_dir().join("seeds").join(target));
	}
	for (target, name, bytes) in seeds::all() {
		let dir = fuzz_dir().join("seeds").join(target);
		fs::create_dir_all(&dir).expect("seeds/<target>/");
		fs::write(dir.join(name), bytes).expect("a seed");
	}
}
