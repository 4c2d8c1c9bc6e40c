//! WeTube in a real browser against the real dev chain: headless Chromium (Debian's, driven by
//! `playwright-core` from `apps/wetube/tests/watch.mjs`) opens the app that Dave's gateway
//! serves, funds and locks quota for the page's own session key, lists Charlie's catalog,
//! plays a WebM/VP9 video made with ffmpeg, seeks to the middle and plays on, every byte
//! verified in the page and paid with receipts signed in the page; Eve's replica tampers with
//! every range and is dropped; Dave is credited on chain for the bytes once the epoch closes;
//! the page shares a file (proposed to Charlie, pushed to the nodes) and, with Charlie's key,
//! accepts it from the queue; a denied item is refused with a message.
//!
//! Needs Node.js, `npm ci` in `apps/wetube`, Chromium and ffmpeg (`scripts/setup` installs
//! them, `scripts/test` runs `npm ci`); fails without them unless `BITCLOUD_SKIP_JS=1`.

use crate::{common::*, proxy::HonestAndLying, ready};
use bitcloud_client::ss58;
use bitcloud_primitives::{deny_key, AccountId, EpochIndex};
use bitcloud_runtime::RuntimeCall;
use polkadot_sdk::sp_keyring::Sr25519Keyring::{Charlie, Dave};
use serde_json::{json, Value};
use std::{path::PathBuf, process::Command};

/// The WeTube app's directory.
fn app_dir() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../apps/wetube")
}

/// Title the video is listed under.
const TITLE: &str = "WeTube test pattern";

/// Title and bytes of the file the page shares (proposed to Charlie, then accepted by Charlie
/// from the page).
const SHARE_TITLE: &str = "Shared from the page";
const SHARE_TEXT: &str = "A file published from WeTube: proposed, pushed, accepted.";

/// Title of the denied item: HTML that would run a script if a page inserted it as markup.
const MARKUP_TITLE: &str = "Denied <img src=x onerror=\"window.pwned=1\"> <b>file</b>";

/// A 12-second WebM (VP9 video, Opus audio) test pattern made by ffmpeg at `path`: about
/// 1.5 MB, so that playing and seeking take several ranges from both replicas.
fn make_video(path: &std::path::Path) {
	let lavfi = ["-f", "lavfi", "-i"];
	let output = Command::new("ffmpeg")
		.args(["-hide_banner", "-loglevel", "error", "-y"])
		.args(lavfi)
		.arg("testsrc2=size=640x360:rate=25")
		.args(lavfi)
		.arg("sine=frequency=440:sample_rate=48000")
		.args(["-t", "12", "-c:v", "libvpx-vp9", "-b:v", "1M", "-deadline", "realtime"])
		.args(["-cpu-used", "8", "-c:a", "libopus", "-shortest"])
		.arg(path)
		.output()
		.expect("ffmpeg runs (scripts/setup installs it)");
	assert!(output.status.success(), "ffmpeg failed: {}", text(&output.stderr));
}

/// Publishes `path` as Charlie (the moderator: listed at once) with `title`; its id in hex.
fn publish_as_charlie(rpc: &str, path: &std::path::Path, title: &str, mime: &str) -> String {
	let charlie = ss58(&account(Charlie));
	let file = path.to_str().expect("a UTF-8 path");
	let out = bitcloud(
		rpc,
		&["--suri", "//Charlie", "publish", file, "--moderator", &charlie, "--title", title]
			.into_iter()
			.chain(["--mime-type", mime])
			.collect::<Vec<_>>(),
	);
	assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
	let id = bitcloud_primitives::content_id(&std::fs::read(path).expect("the published file"));
	id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes the chain credits `node` for serving `client` under Charlie's catalog in `epoch`.
fn claimed(chain: &Node, epoch: EpochIndex, node: &AccountId, client: &AccountId) -> u64 {
	chain.runtime_api("BandwidthApi_claimed", (epoch, node, client, Some(account(Charlie))))
}

#[test]
fn wetube_plays_seeks_and_pays_verified_video_in_a_browser_despite_a_tampering_replica() {
	if !ready::js_ready(&app_dir(), "playwright-core", "WeTube in a browser") {
		return;
	}
	let HonestAndLying { dave, eve, dave_gateway, eve_gateway, proxy, eve_base: _eve_base } =
		HonestAndLying::start();

	// Charlie lists a video and a file it then denies.
	let dir = tempfile::tempdir().expect("a temporary directory");
	let video = dir.path().join("pattern.webm");
	make_video(&video);
	let video_id = publish_as_charlie(&dave.rpc_url, &video, TITLE, "video/webm");
	let banned = dir.path().join("banned.txt");
	std::fs::write(&banned, file_bytes(7, 10_000)).expect("a file");
	// Its title is markup a careless page would run: the page shows it as text.
	let denied_id = publish_as_charlie(&dave.rpc_url, &banned, MARKUP_TITLE, "text/plain");
	let denied: [u8; 32] = from_hex(&format!("0x{denied_id}")).try_into().expect("32 bytes");
	let deny = pallet_moderation::Call::deny_content { deny_key: deny_key(&denied) };
	assert!(succeeded(&dave.execute(Charlie, RuntimeCall::Moderation(deny))));

	// Eve's node holds the video too, so her (tampering) replica is asked for ranges.
	let agent: ureq::Agent =
		ureq::Agent::config_builder().http_status_as_error(false).build().into();
	eve.wait_for("Eve's node to replicate the video", || {
		let url = format!("{eve_gateway}/content/{video_id}");
		(agent.head(url).call().ok()?.status() == 200).then_some(())
	});

	let options = json!({
		"app": format!("{dave_gateway}/app/"),
		"rpc": dave.rpc_url.replacen("http://", "ws://", 1),
		"moderator": ss58(&account(Charlie)),
		"moderatorName": "Charlie's samples",
		"title": TITLE,
		"video": video_id,
		"denied": denied_id,
		"fundFrom": "//Alice",
		"fund": "1000",
		"lock": "100",
		"shareTitle": SHARE_TITLE,
		"shareText": SHARE_TEXT,
		"moderatorKey": "//Charlie",
	});
	let output = Command::new("node")
		.arg("tests/watch.mjs")
		.arg(options.to_string())
		.current_dir(app_dir())
		.output()
		.expect("node runs");
	let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
		panic!("watch.mjs prints JSON ({e}): {}{}", text(&output.stdout), text(&output.stderr))
	});
	assert!(output.status.success(), "the browser run failed: {answer:#}");
	let said = |field: &str| answer[field].as_str().unwrap_or_default().to_string();

	// The catalog lists the video; search finds it by title. A title is text, never markup.
	assert!(said("status").contains("connected"), "{answer:#}");
	let catalog = answer["catalog"].to_string();
	assert!(catalog.contains(TITLE) && catalog.contains("<b>file</b>"), "{answer:#}");
	assert_eq!(answer["pwned"], Value::Bool(false), "a catalog title ran as markup");
	let found: Vec<&str> =
		answer["found"].as_array().expect("items").iter().flat_map(Value::as_str).collect();
	assert!(!found.is_empty() && found.iter().all(|item| item.contains(TITLE)), "{answer:#}");
	// It played from the start and on from the middle.
	let (duration, played_to) =
		(answer["duration"].as_f64().unwrap_or(0.0), answer["playedTo"].as_f64().unwrap_or(0.0));
	assert!(duration > 10.0 && played_to > duration / 2.0 + 1.0, "{answer:#}");
	// Verified bytes came from Dave; Eve's replica was caught lying and dropped.
	assert!(said("servedBy").contains("verified"), "{answer:#}");
	assert!(said("servedBy").contains(&dave_gateway), "{answer:#}");
	let dropped = said("dropped");
	assert!(dropped.contains("1 replica dropped") && dropped.contains(&proxy), "{answer:#}");
	// The page's key paid Dave with receipts, and the chain credited them once the epoch closed.
	let session = bitcloud_primitives::parse_account(&said("session"))
		.unwrap_or_else(|e| panic!("the page names its session account ({e}): {answer:#}"));
	assert!(said("credited").contains(&ss58(&account(Dave))), "{answer:#}");
	let dave_account = account(Dave);
	let now: pallet_epochs::EpochInfo<u32> = dave.runtime_api("EpochsApi_current_epoch", ());
	let credited: u64 =
		(0..=now.epoch).map(|epoch| claimed(&dave, epoch, &dave_account, &session)).sum();
	assert!(credited > 0, "Dave was not credited for the page's receipts: {answer:#}");
	// The shared file was proposed from the page and accepted from the moderator's queue:
	// Charlie lists it with the page's title, and Dave serves it.
	assert!(said("shareProgress").contains("Proposed:"), "{answer:#}");
	assert!(said("accepted").contains("Accepted"), "{answer:#}");
	let shared = bitcloud_primitives::content_id(SHARE_TEXT.as_bytes());
	let listed: Option<bitcloud_client::CatalogEntry> =
		dave.runtime_api("ModerationApi_catalog_item", (account(Charlie), shared));
	assert_eq!(listed.map(|entry| entry.title), Some(SHARE_TITLE.as_bytes().to_vec()));
	let shared_hex: String = shared.iter().map(|b| format!("{b:02x}")).collect();
	let served = agent.get(format!("{dave_gateway}/content/{shared_hex}")).call().unwrap();
	assert_eq!(served.status(), 200, "Dave serves what the page pushed");
	// The denied item is refused in words, with no player.
	assert!(said("deniedError").contains("denied"), "{answer:#}");
	assert_eq!(answer["deniedPlayer"], Value::Bool(false), "{answer:#}");
}
