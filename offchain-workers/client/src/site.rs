//! Websites: publish a directory as a site. Every file is published like any content (listed
//! in the moderator's catalog, or proposed to it, and pushed to its nodes), then the site's
//! manifest ([`bitcloud_content::site`]), whose id is the site's id. Gateways serve the site at
//! `http://<site id as CIDv1>.<gateway host>/path` (`docs/sites.md`).
//!
//! Anonymous sites are under no moderator: leased unmoderated and published through onion
//! circuits ([`publish_anonymously`]), and browsed through a local proxy that fetches them
//! through circuits ([`browse`]), since no gateway serves unmoderated content over HTTP.

mod browse;
mod onion;

pub use browse::{
	browse, check_listen, host_allowed, proxy_url, Listening, DEFAULT_LISTEN, MAX_CACHED_BYTES,
	MAX_CACHED_OBJECTS, MAX_FETCHES, MAX_PAGE_BYTES,
};
pub use onion::{publish_anonymously, AnonymousSiteReport, MANIFEST_LABEL};

use crate::{
	publish::{self, content_id_of, guess_mime_type, listing_call, Item, Listing, Push},
	queries,
	rpc::Rpc,
	tree, Error, Signer,
};
use bitcloud_content::site::{
	check_relative_path, site_file, Manifest, SiteFile, MANIFEST_TYPE, MAX_SITE_FILES,
};
use bitcloud_primitives::{AccountId, ContentId};
use std::{
	collections::BTreeMap,
	fs,
	path::{Path, PathBuf},
};

/// Longest catalog title (the runtime's `MaxTitleLength`).
const MAX_TITLE_BYTES: usize = 128;

/// How a site is published.
#[derive(Debug, Clone)]
pub struct SiteOptions {
	/// The index document of directories (`index.html`).
	pub index: String,
	/// The page answered with 404 for paths that name no file, relative to the directory.
	pub fallback: Option<String>,
	/// The site's title in the catalog; its files are titled `TITLE/path`.
	pub title: String,
}

/// What publishing a site did.
#[derive(Debug)]
pub struct SiteReport {
	/// The site's id: its manifest's content id.
	pub id: ContentId,
	/// The manifest.
	pub manifest: Manifest,
	/// How each item (the files, then the manifest) was listed, by path (`""`: the manifest).
	pub listings: Vec<(String, Listing)>,
	/// Each node serving the catalog, its gateway, and the items it failed to take.
	pub pushes: Vec<NodePushes>,
}

/// How one node took a site's items.
#[derive(Debug)]
pub struct NodePushes {
	/// The node.
	pub node: AccountId,
	/// Its gateway.
	pub gateway: String,
	/// Items it stored or held already.
	pub taken: usize,
	/// Items it did not take, by path (`""`: the manifest), and why.
	pub failed: Vec<(String, Error)>,
}

/// The files of `dir` by their path in the site (`/`-separated, relative), sorted. Symbolic
/// links, names that are not UTF-8 or not plain path segments, more than [`MAX_SITE_FILES`]
/// files or deeper than [`tree::MAX_DEPTH`] are refused with the offending path.
pub fn site_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
	let mut files = BTreeMap::new();
	tree::walk(dir, "", &mut |site_path, path| {
		check_relative_path(&site_path)
			.map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
		if files.len() >= MAX_SITE_FILES {
			let why = format!("more than {MAX_SITE_FILES} files: a site holds at most that many");
			return Err(Error::Input(format!("{}: {why}", dir.display())));
		}
		files.insert(site_path, path);
		Ok(())
	})?;
	if files.is_empty() {
		return Err(Error::Input(format!("{} holds no file to publish", dir.display())));
	}
	Ok(files)
}

/// The manifest of the site in `dir` (its files hashed once each), and the files by path.
pub fn manifest_of(
	dir: &Path,
	options: &SiteOptions,
) -> Result<(Manifest, BTreeMap<String, PathBuf>), Error> {
	let paths = site_files(dir)?;
	let mut files: BTreeMap<String, SiteFile> = BTreeMap::new();
	for (site_path, path) in &paths {
		let (id, size) = content_id_of(path)?;
		files.insert(site_path.clone(), site_file(&id, size, guess_mime_type(path)));
	}
	let manifest = Manifest::new(files, &options.index, options.fallback.as_deref())
		.map_err(|e| Error::Input(format!("{}: {e}", dir.display())))?;
	Ok((manifest, paths))
}

/// A site ready to publish: its manifest, the manifest's bytes in a temporary file, and each
/// object to send (every file, hashed once, then the manifest).
struct Prepared {
	/// The site's id: its manifest's content id.
	id: ContentId,
	manifest: Manifest,
	/// Held while the manifest is sent; removed when dropped.
	_manifest_file: TempFile,
	files: Vec<SiteObject>,
	manifest_object: SiteObject,
}

/// One object of a site: a file, or the manifest.
struct SiteObject {
	/// The file's path in the site, or what reports call the manifest.
	label: String,
	/// Where its bytes are on this machine.
	file: PathBuf,
	id: ContentId,
	size: u64,
	mime: String,
}

/// The site in `dir` as [`Prepared`], its manifest labelled `manifest_label`.
fn prepare(dir: &Path, options: &SiteOptions, manifest_label: &str) -> Result<Prepared, Error> {
	let (manifest, paths) = manifest_of(dir, options)?;
	let manifest_bytes = manifest.to_bytes();
	let id = bitcloud_primitives::content_id(&manifest_bytes);
	let manifest_file = TempFile::write(&id, &manifest_bytes)?;
	let mut files = Vec::new();
	for (site_path, file) in &manifest.files {
		files.push(SiteObject {
			label: site_path.clone(),
			file: paths.get(site_path).cloned().unwrap_or_default(),
			id: file.content_id().map_err(|e| Error::Input(e.to_string()))?,
			size: file.size,
			mime: file.mime.clone(),
		});
	}
	let manifest_object = SiteObject {
		label: manifest_label.into(),
		file: manifest_file.0.clone(),
		id,
		size: manifest_bytes.len() as u64,
		mime: MANIFEST_TYPE.into(),
	};
	Ok(Prepared { id, manifest, _manifest_file: manifest_file, files, manifest_object })
}

/// Publishes the site in `dir` under `moderator`'s catalog: lists (or proposes) every file and
/// the manifest in one go, then pushes them to every node serving the catalog, the manifest
/// last. `progress` hears (bytes pushed of the current item, its size).
pub fn publish_site(
	rpc: &Rpc,
	signer: &Signer,
	dir: &Path,
	moderator: &AccountId,
	options: &SiteOptions,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<SiteReport, Error> {
	let site = prepare(dir, options, "")?;
	let items: Vec<&SiteObject> = site.files.iter().chain([&site.manifest_object]).collect();
	let listings = list_all(rpc, signer, moderator, &options.title, &items)?;
	let mut pushes = Vec::new();
	for (node, view) in queries::nodes(rpc, moderator)? {
		let Some(gateway) = view.and_then(|view| String::from_utf8(view.endpoint).ok()) else {
			continue;
		};
		let mut report = NodePushes { node, gateway, taken: 0, failed: Vec::new() };
		for item in &items {
			match publish::push(&report.gateway, &item.id, &item.file, item.size, progress) {
				Push::Stored | Push::AlreadyStored => report.taken += 1,
				Push::Failed(e) => report.failed.push((item.label.clone(), e)),
			}
		}
		pushes.push(report);
	}
	Ok(SiteReport { id: site.id, manifest: site.manifest, listings, pushes })
}

/// Lists or proposes every item not yet listed or proposed, all signed at once.
fn list_all(
	rpc: &Rpc,
	signer: &Signer,
	moderator: &AccountId,
	title: &str,
	items: &[&SiteObject],
) -> Result<Vec<(String, Listing)>, Error> {
	let (mut listings, mut calls) = (Vec::new(), Vec::new());
	for object in items {
		let title = item_title(title, &object.label);
		let item =
			Item { id: object.id, size: object.size, title: &title, mime_type: &object.mime };
		let (listing, call) = listing_call(rpc, &signer.account(), moderator, &item)?;
		listings.push((object.label.clone(), listing));
		calls.extend(call);
	}
	rpc.execute_all(signer, calls)?;
	Ok(listings)
}

/// A file's catalog title, `TITLE/path` (the site's own is `TITLE`), cut to the runtime's
/// bound at a character boundary.
fn item_title(title: &str, site_path: &str) -> String {
	let mut full =
		if site_path.is_empty() { title.to_string() } else { format!("{title}/{site_path}") };
	let mut end = full.len().min(MAX_TITLE_BYTES);
	while !full.is_char_boundary(end) {
		end -= 1;
	}
	full.truncate(end);
	full
}

/// Where a site at `gateway` (an endpoint URL) is browsed: the site's CIDv1 as the first
/// label of the gateway's host; a loopback address becomes `localhost`, which browsers
/// resolve with every subdomain.
pub fn site_url(gateway: &str, site: &ContentId) -> String {
	let cid = bitcloud_content::to_cid(site);
	let (scheme, rest) = gateway.split_once("://").unwrap_or(("http", gateway));
	let authority = rest.split('/').next().unwrap_or_default();
	let (host, port) = match authority.strip_prefix('[') {
		// An IPv6 address: `[::1]:8080`.
		Some(rest) => rest.split_once(']').unwrap_or((rest, "")),
		None => match authority.find(':') {
			Some(colon) => authority.split_at(colon),
			None => (authority, ""),
		},
	};
	let loopback = host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
	let host = if loopback { "localhost" } else { host };
	format!("{scheme}://{cid}.{host}{port}/")
}

/// The manifest's bytes in a file of their own while they are pushed; removed after.
struct TempFile(PathBuf);

impl TempFile {
	fn write(id: &ContentId, bytes: &[u8]) -> Result<Self, Error> {
		let name = format!("bitcloud-site-{}-{}.json", std::process::id(), hex::encode(&id[..8]));
		let path = std::env::temp_dir().join(name);
		fs::write(&path, bytes)
			.map_err(|e| Error::Local(format!("cannot write {}: {e}", path.display())))?;
		Ok(TempFile(path))
	}
}

impl Drop for TempFile {
	fn drop(&mut self) {
		let _ = fs::remove_file(&self.0);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn urls_put_the_site_first_in_the_host() {
		let site = [7; 32];
		let cid = bitcloud_content::to_cid(&site);
		assert_eq!(
			site_url("http://127.0.0.1:8080", &site),
			format!("http://{cid}.localhost:8080/")
		);
		assert_eq!(
			site_url("https://node.example.org/", &site),
			format!("https://{cid}.node.example.org/")
		);
		assert_eq!(site_url("http://[::1]:8081", &site), format!("http://{cid}.localhost:8081/"));
	}

	#[test]
	fn titles_are_cut_at_a_character_boundary() {
		assert_eq!(item_title("Site", ""), "Site");
		assert_eq!(item_title("Site", "docs/a.html"), "Site/docs/a.html");
		let long = item_title("é", &"é".repeat(100));
		assert!(long.len() <= MAX_TITLE_BYTES && long.ends_with('é'), "{long}");
	}

	#[test]
	fn directories_are_walked_and_tricks_refused() {
		let dir = tempfile::tempdir().unwrap();
		fs::create_dir_all(dir.path().join("docs/guide")).unwrap();
		fs::write(dir.path().join("index.html"), "home").unwrap();
		fs::write(dir.path().join("docs/guide/intro.html"), "intro").unwrap();
		let files = site_files(dir.path()).unwrap();
		let paths: Vec<&str> = files.keys().map(String::as_str).collect();
		assert_eq!(paths, ["docs/guide/intro.html", "index.html"]);

		std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd")).unwrap();
		let refused = site_files(dir.path()).unwrap_err().to_string();
		assert!(refused.contains("a symbolic link"), "{refused}");
		fs::remove_file(dir.path().join("passwd")).unwrap();

		let options = SiteOptions {
			index: "index.html".into(),
			fallback: Some("404.html".into()),
			title: "t".into(),
		};
		let missing = manifest_of(dir.path(), &options).unwrap_err().to_string();
		assert!(missing.contains("fallback page \"404.html\""), "{missing}");
		let empty = tempfile::tempdir().unwrap();
		assert!(site_files(empty.path()).unwrap_err().to_string().contains("no file"));
	}
}
