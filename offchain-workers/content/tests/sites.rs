//! Websites by path over real HTTP: a request to `<site id>.localhost` is a page of that site
//! (`bitcloud_content::site`), served under the serving rule, with path tricks refused.

mod common;

use bitcloud_content::{
	site::{site_file, Manifest, DEFAULT_INDEX},
	to_cid,
};
use bitcloud_primitives::{content_id, ContentId};
use common::*;
use std::collections::BTreeMap;

/// A site's pages: (path, bytes, type).
const PAGES: [(&str, &str, &str); 6] = [
	("index.html", "<h1>Home</h1>", "text/html; charset=utf-8"),
	("about.html", "<h1>About</h1>", "text/html; charset=utf-8"),
	("docs/index.html", "<h1>Docs</h1>", "text/html; charset=utf-8"),
	("docs/guide/intro.html", "<h1>Intro</h1>", "text/html; charset=utf-8"),
	("404.html", "<h1>Not here</h1>", "text/html; charset=utf-8"),
	("css/site.css", "h1 { color: teal }", "text/css; charset=utf-8"),
];

/// Moderator A lists every page of a site and its manifest, plus a page A denies, a page no
/// catalog lists, a manifest that is not one and a manifest with a path trick.
struct Sites {
	gateway: TestGateway,
	site: ContentId,
	denied_site: ContentId,
	not_json: ContentId,
	escaping: ContentId,
}

fn manifest_of(pages: &[(&str, &[u8], &str)]) -> Vec<u8> {
	let files: BTreeMap<_, _> = pages
		.iter()
		.map(|(path, bytes, mime)| {
			(path.to_string(), site_file(&content_id(bytes), bytes.len() as u64, mime))
		})
		.collect();
	Manifest::new(files, DEFAULT_INDEX, Some("404.html")).unwrap().to_bytes()
}

fn sites() -> Sites {
	let mut pages: Vec<(&str, &[u8], &str)> =
		PAGES.iter().map(|(path, text, mime)| (*path, text.as_bytes(), *mime)).collect();
	pages.push(("secret.html", b"<h1>denied page</h1>", "text/html"));
	pages.push(("unlisted.html", b"<h1>in no catalog</h1>", "text/html"));
	let manifest = manifest_of(&pages);
	let denied_manifest = manifest_of(&pages[..5]);
	let not_json = b"<html>not a manifest</html>".to_vec();
	// Written by hand: `Manifest::new` refuses it.
	let escaping = format!(
		r#"{{"bitcloudSite":1,"index":"index.html","files":{{"../etc/passwd":{{"id":"{}","size":1,"type":"text/plain"}}}}}}"#,
		"ab".repeat(32)
	)
	.into_bytes();
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	let mut stored: Vec<&[u8]> = pages.iter().map(|(_, bytes, _)| *bytes).collect();
	for (path, bytes, mime) in &pages {
		if *path != "unlisted.html" {
			chain.list(moderator_a(), content_id(bytes), bytes.len() as u64, mime);
		}
	}
	chain.deny(moderator_a(), content_id(b"<h1>denied page</h1>"));
	for manifest in [&manifest, &denied_manifest, &not_json, &escaping] {
		let id = content_id(manifest);
		chain.list(moderator_a(), id, manifest.len() as u64, "application/vnd.bitcloud.site+json");
		stored.push(manifest);
	}
	chain.deny(moderator_a(), content_id(&denied_manifest));
	let gateway = TestGateway::start(chain, &stored);
	Sites {
		gateway,
		site: content_id(&manifest),
		denied_site: content_id(&denied_manifest),
		not_json: content_id(&not_json),
		escaping: content_id(&escaping),
	}
}

/// An answer: status, headers (lowercase names) and body.
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

/// `method path` with `Host: host`, over a raw connection (the host is the point).
fn ask(gateway: &TestGateway, method: &str, host: &str, path: &str, extra: &str) -> Answer {
	let request =
		format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n");
	let answer = raw(gateway.addr, request.as_bytes());
	let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
	let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
	Answer { status, head: head.to_string(), body: body.to_string() }
}

fn host(site: &ContentId) -> String {
	format!("{}.localhost:8080", to_cid(site))
}

fn get(sites: &Sites, path: &str) -> Answer {
	ask(&sites.gateway, "GET", &host(&sites.site), path, "")
}

#[test]
fn pages_are_served_by_path_with_index_documents_and_the_fallback() {
	let sites = sites();
	for (path, expected) in [
		("/", "<h1>Home</h1>"),
		("/index.html", "<h1>Home</h1>"),
		("/about.html", "<h1>About</h1>"),
		("/docs/", "<h1>Docs</h1>"),
		("/docs/guide/intro.html", "<h1>Intro</h1>"),
		("/css/site.css", "h1 { color: teal }"),
		("/docs/guide/intro.html?utm=1", "<h1>Intro</h1>"),
	] {
		let answer = get(&sites, path);
		assert_eq!((answer.status, answer.body.as_str()), (200, expected), "{path}");
		assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
	}
	assert_eq!(get(&sites, "/").header("content-type"), Some("text/html; charset=utf-8"));
	assert_eq!(
		get(&sites, "/css/site.css").header("content-type"),
		Some("text/css; charset=utf-8")
	);
	// A site's pages are not the API's: no CORS header for other origins.
	assert_eq!(get(&sites, "/").header("access-control-allow-origin"), None);

	let redirect = get(&sites, "/docs");
	assert_eq!(redirect.status, 308);
	assert_eq!(redirect.header("location"), Some("/docs/"));

	for path in ["/missing.html", "/docs/guide/", "/status", "/content/whatever"] {
		let answer = get(&sites, path);
		assert_eq!((answer.status, answer.body.as_str()), (404, "<h1>Not here</h1>"), "{path}");
		assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
	}

	// The host is case-insensitive; ranges and HEAD work as for any content.
	let upper = host(&sites.site).to_ascii_uppercase();
	assert_eq!(ask(&sites.gateway, "GET", &upper, "/about.html", "").body, "<h1>About</h1>");
	let range =
		ask(&sites.gateway, "GET", &host(&sites.site), "/about.html", "Range: bytes=4-8\r\n");
	assert_eq!((range.status, range.body.as_str()), (206, "About"));
	let head = ask(&sites.gateway, "HEAD", &host(&sites.site), "/about.html", "");
	assert_eq!(
		(head.status, head.body.as_str(), head.header("content-length")),
		(200, "", Some("14"))
	);

	// The node's own API is where it was.
	let status = ask(&sites.gateway, "GET", "127.0.0.1:8080", "/status", "");
	assert_eq!(status.status, 200);
	assert!(status.body.contains("\"store\""), "{}", status.body);
}

#[test]
fn path_tricks_are_refused_and_change_nothing() {
	let sites = sites();
	for path in [
		"/../index.html",
		"/docs/../../index.html",
		"/docs/%2e%2e/%2e%2e/etc/passwd",
		"/docs/%2E%2E/index.html",
		"/./about.html",
		"//about.html",
		"/docs%5c..%5cabout.html",
		"/about.html%00.txt",
		"/%ff",
	] {
		let answer = get(&sites, path);
		assert_eq!(answer.status, 400, "{path}: {}", answer.body);
		assert!(answer.body.starts_with("bad path: "), "{path}: {}", answer.body);
	}
	let post =
		ask(&sites.gateway, "PUT", &host(&sites.site), "/index.html", "Content-Length: 0\r\n");
	assert_eq!(post.status, 405);
	assert_eq!(get(&sites, "/").status, 200, "the site still answers");
}

#[test]
fn the_serving_rule_holds_for_sites_and_their_pages() {
	let sites = sites();
	// A page its moderator denies, and one no subscribed catalog lists.
	let denied = get(&sites, "/secret.html");
	assert_eq!(denied.status, 403, "{}", denied.body);
	assert!(denied.body.contains("denied by moderator"), "{}", denied.body);
	let unlisted = get(&sites, "/unlisted.html");
	assert_eq!(unlisted.status, 404, "{}", unlisted.body);
	// A denied manifest takes the whole site down; an unknown id is no site.
	let gateway = &sites.gateway;
	let down = ask(gateway, "GET", &host(&sites.denied_site), "/", "");
	assert_eq!(down.status, 403, "{}", down.body);
	let unknown = ask(gateway, "GET", &host(&[7; 32]), "/", "");
	assert_eq!(unknown.status, 404, "{}", unknown.body);
	assert!(unknown.body.contains("not in any catalog"), "{}", unknown.body);
}

#[test]
fn broken_manifests_are_named_not_served() {
	let sites = sites();
	let gateway = &sites.gateway;
	let not_json = ask(gateway, "GET", &host(&sites.not_json), "/", "");
	assert_eq!(not_json.status, 502);
	assert!(not_json.body.contains("is broken: not a site manifest"), "{}", not_json.body);
	let escaping = ask(gateway, "GET", &host(&sites.escaping), "/etc/passwd", "");
	assert_eq!(escaping.status, 502);
	assert!(escaping.body.contains("bad path \"../etc/passwd\""), "{}", escaping.body);
}

#[test]
fn a_manifest_corrupted_on_disk_is_never_served() {
	let sites = sites();
	let path = sites.gateway.store.data_path(&sites.site);
	let mut bytes = std::fs::read(&path).unwrap();
	bytes[3] ^= 1;
	std::fs::write(&path, bytes).unwrap();
	let answer = get(&sites, "/");
	assert_eq!(answer.status, 500, "{}", answer.body);
	assert!(answer.body.contains("failed verification"), "{}", answer.body);
	assert!(!path.exists(), "the corrupt copy is removed");
	assert_eq!(get(&sites, "/").status, 404);
}
