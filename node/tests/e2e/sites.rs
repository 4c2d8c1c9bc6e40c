//! Websites against the real dev chain: Charlie publishes a directory with `bitcloud site
//! publish`; Dave's gateway serves it by path at `<site id>.localhost`, with an index document,
//! nested paths and a 404 page; headless Chromium browses it (`apps/wetube/tests/site.mjs`);
//! path tricks get 400; a broken manifest is named, not served; denying the manifest takes the
//! site down; the CLI refuses bad directories with clear errors.

use crate::{common::*, ready};
use bitcloud_client::ss58;
use bitcloud_runtime::RuntimeCall;
use polkadot_sdk::sp_keyring::Sr25519Keyring::{Charlie, Dave, Eve};
use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	path::{Path, PathBuf},
	process::Command,
};

/// The site's files: (path, contents).
const PAGES: [(&str, &str); 6] = [
	(
		"index.html",
		r#"<!doctype html><title>Home</title><link rel="stylesheet" href="css/site.css"><h1>Home</h1><a id="docs" href="docs/">Docs</a>"#,
	),
	("about.html", "<!doctype html><title>About</title><h1>About</h1>"),
	(
		"docs/index.html",
		r#"<!doctype html><title>Docs</title><link rel="stylesheet" href="../css/site.css"><h1>Docs</h1><a id="intro" href="guide/intro.html">Intro</a>"#,
	),
	("docs/guide/intro.html", "<!doctype html><title>Intro</title><h1>Intro</h1>"),
	("404.html", "<!doctype html><title>Not found</title><h1>Not here</h1>"),
	("css/site.css", "h1 { color: rgb(0, 128, 128) }"),
];

fn app_dir() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../apps/wetube")
}

fn write_site(dir: &Path) {
	for (path, contents) in PAGES {
		let file = dir.join(path);
		std::fs::create_dir_all(file.parent().expect("a parent")).expect("a directory");
		std::fs::write(file, contents).expect("a page");
	}
}

/// `GET path` with `Host: host` at `gateway` (`http://IP:PORT`): status and body.
fn get(gateway: &str, host: &str, path: &str) -> (u16, String) {
	let addr = gateway.trim_start_matches("http://");
	let mut stream = std::net::TcpStream::connect(addr).expect("the gateway listens");
	let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
	stream.write_all(request.as_bytes()).expect("a request");
	let mut answer = String::new();
	let _ = stream.read_to_string(&mut answer);
	let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
	let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
	(status, body.to_string())
}

/// The value of `field: ` in the CLI's output.
fn field<'a>(stdout: &'a str, field: &str) -> &'a str {
	stdout
		.lines()
		.find_map(|line| line.strip_prefix(&format!("{field}: ")))
		.unwrap_or_else(|| panic!("no {field} in: {stdout}"))
}

#[test]
fn a_site_is_published_and_browsed_by_path_and_tricks_fail() {
	let node = Node::start_dev(&[]);
	let gateway = node.gateway_url();
	// Dave serves Charlie's catalog here; Eve's registered gateway is closed (port 9).
	node.set_endpoint(Dave, &gateway);
	node.set_endpoint(Eve, "http://127.0.0.1:9");
	let charlie = ss58(&account(Charlie));
	let rpc = node.rpc_url.clone();

	let dir = tempfile::tempdir().expect("a temporary directory");
	let site_dir = dir.path().join("my-site");
	write_site(&site_dir);
	let site = site_dir.to_str().expect("UTF-8");
	let out = bitcloud(
		&rpc,
		&["--suri", "//Charlie", "site", "publish", site, "--moderator", &charlie]
			.into_iter()
			.chain(["--fallback", "404.html"])
			.collect::<Vec<_>>(),
	);
	let stdout = text(&out.stdout);
	assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
	assert_eq!(field(&stdout, "files"), "6", "{stdout}");
	assert!(stdout.contains("listed 7, proposed 0"), "{stdout}");
	let cid = field(&stdout, "cid").to_string();
	let port = gateway.rsplit(':').next().expect("a port");
	let url = format!("http://{cid}.localhost:{port}/");
	assert!(stdout.contains(&format!("{gateway}  took all  {url}")), "{stdout}");
	assert!(stdout.contains("http://127.0.0.1:9  failed 7 of 7"), "{stdout}");
	// The catalog names the site and its files.
	let catalog = text(&bitcloud(&rpc, &["catalog", &charlie]).stdout);
	assert!(
		catalog.contains("application/vnd.bitcloud.site+json")
			&& catalog.contains("my-site/docs/guide/intro.html"),
		"{catalog}"
	);

	// By path over HTTP, as any client asks.
	let host = format!("{cid}.localhost:{port}");
	assert_eq!(get(&gateway, &host, "/"), (200, PAGES[0].1.to_string()));
	assert_eq!(get(&gateway, &host, "/docs/guide/intro.html"), (200, PAGES[3].1.to_string()));
	assert_eq!(get(&gateway, &host, "/nothing"), (404, PAGES[4].1.to_string()));
	for trick in ["/../index.html", "/docs/%2e%2e/%2e%2e/etc/passwd", "/docs%5c..%5cabout.html"] {
		let (status, body) = get(&gateway, &host, trick);
		assert_eq!(status, 400, "{trick}: {body}");
		assert!(body.starts_with("bad path"), "{trick}: {body}");
	}

	// In a real browser.
	if ready::js_ready(&app_dir(), "playwright-core", "a site in a browser") {
		let output = Command::new("node")
			.arg("tests/site.mjs")
			.arg(json!({ "url": url }).to_string())
			.current_dir(app_dir())
			.output()
			.expect("node runs");
		let seen: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
			panic!("site.mjs prints JSON ({e}): {}{}", text(&output.stdout), text(&output.stderr))
		});
		assert!(output.status.success(), "the browser run failed: {seen:#}");
		assert_eq!(seen["home"], json!({ "status": 200, "heading": "Home", "title": "Home" }));
		assert_eq!(seen["origin"], json!(format!("http://{cid}.localhost:{port}")), "{seen:#}");
		assert_eq!(seen["headingColor"], json!("rgb(0, 128, 128)"), "{seen:#}");
		assert_eq!(seen["stored"], json!("yes"), "{seen:#}");
		assert_eq!(seen["docs"], json!({ "url": format!("{url}docs/"), "heading": "Docs" }));
		let intro = json!({ "url": format!("{url}docs/guide/intro.html"), "heading": "Intro" });
		assert_eq!(seen["intro"], intro, "{seen:#}");
		let redirect = json!({ "status": 200, "url": format!("{url}docs/"), "heading": "Docs" });
		assert_eq!(seen["redirect"], redirect, "{seen:#}");
		assert_eq!(seen["missing"], json!({ "status": 404, "heading": "Not here" }), "{seen:#}");
	}

	// A manifest that is not one is named as broken, not served.
	let broken = dir.path().join("broken.json");
	std::fs::write(&broken, r#"{"bitcloudSite":1,"index":"index.html","files":{"../x":{"id":"00","size":1,"type":"text/plain"}}}"#).expect("a file");
	let out = bitcloud(
		&rpc,
		&[
			"--suri",
			"//Charlie",
			"publish",
			broken.to_str().expect("UTF-8"),
			"--moderator",
			&charlie,
		],
	);
	assert!(out.status.success(), "{}", text(&out.stderr));
	let broken_cid = field(&text(&out.stdout), "cid").to_string();
	let (status, body) = get(&gateway, &format!("{broken_cid}.localhost:{port}"), "/x");
	assert_eq!(status, 502, "{body}");
	assert!(body.contains("is broken: bad path \"../x\""), "{body}");

	// Charlie denies the manifest: the whole site is down from the next block on.
	let site_id: [u8; 32] =
		from_hex(&format!("0x{}", field(&stdout, "site"))).try_into().expect("32 bytes");
	let deny =
		pallet_moderation::Call::deny_content { deny_key: bitcloud_primitives::deny_key(&site_id) };
	assert!(succeeded(&node.execute(Charlie, RuntimeCall::Moderation(deny))));
	node.wait_for("the denied site to go down", || {
		let (status, body) = get(&gateway, &host, "/");
		(status == 403).then_some(body)
	});

	// Bad directories: clear errors, nothing published.
	let with_link = dir.path().join("with-link");
	write_site(&with_link);
	std::os::unix::fs::symlink("/etc/passwd", with_link.join("passwd")).expect("a link");
	let publish = |dir: &Path, extra: &[&str]| {
		let args = ["--suri", "//Charlie", "site", "publish", dir.to_str().expect("UTF-8")];
		let args: Vec<&str> = args
			.into_iter()
			.chain(["--moderator", &charlie])
			.chain(extra.iter().copied())
			.collect();
		bitcloud(&rpc, &args)
	};
	let out = publish(&with_link, &[]);
	assert!(!out.status.success());
	assert!(text(&out.stderr).contains("a symbolic link"), "{}", text(&out.stderr));
	let out = publish(&site_dir, &["--fallback", "missing.html"]);
	assert!(!out.status.success());
	assert!(text(&out.stderr).contains("fallback page \"missing.html\""), "{}", text(&out.stderr));
	let out = publish(&dir.path().join("nowhere"), &[]);
	assert!(text(&out.stderr).contains("cannot read"), "{}", text(&out.stderr));
}
