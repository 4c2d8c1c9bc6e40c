//! Websites: the manifest that names a site's files, and how a request path finds one.
//!
//! A site is a directory published file by file; its **manifest** (JSON, one more content
//! item) maps every relative path to the file's content id, size and type, names the index
//! document of directories and, optionally, the page answered with 404 for unknown paths. The
//! manifest's own content id is the site's id: a new version of a site is a new manifest, and
//! so a new id. Gateways serve a site at `http://<site id as CIDv1>.<gateway host>/path`
//! (`docs/sites.md`), so every site is an origin of its own.
//!
//! The publisher (`bitcloud site publish`) writes manifests with [`Manifest::to_bytes`];
//! gateways read them with [`Manifest::from_bytes`], which refuses anything outside the
//! bounds below, and resolve request paths with [`Manifest::resolve`]. What a site answers to
//! a request ([`check_method`], then [`answer`]) is decided here too, from the manifest alone,
//! so the gateway and the anonymous proxy (`bitcloud site browse --anonymous`) answer alike.

use crate::id::{parse_id, to_cid, to_hex};
use axum::http::{Method, StatusCode};
use bitcloud_primitives::ContentId;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt};

/// The manifest format this code reads and writes (`bitcloudSite` in the JSON).
pub const MANIFEST_VERSION: u32 = 1;

/// Largest manifest a gateway reads: about 4,000 files with long paths.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Most files in one site. Every file is an item of its moderator's catalog, which holds at
/// most 1,024 (the runtime's `MaxCatalogItems`), the manifest among them.
pub const MAX_SITE_FILES: usize = 1000;

/// Longest path of a file in a site, in bytes (decoded).
pub const MAX_PATH_BYTES: usize = 1024;

/// Longest content type of a file.
pub const MAX_TYPE_BYTES: usize = 255;

/// The index document of directories when the publisher names none.
pub const DEFAULT_INDEX: &str = "index.html";

/// The catalog type of a manifest.
pub const MANIFEST_TYPE: &str = "application/vnd.bitcloud.site+json";

/// A site's manifest: its files by path, its index document and its 404 page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
	/// The format version: [`MANIFEST_VERSION`].
	pub bitcloud_site: u32,
	/// File name served for a path that names a directory (`/` or `/docs/`).
	pub index: String,
	/// Path of the page answered, with status 404, for paths that name no file.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub fallback: Option<String>,
	/// The files, by path relative to the site's root (`css/site.css`), in byte order.
	pub files: BTreeMap<String, SiteFile>,
}

/// One file of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
	/// Content id (64 hex characters).
	pub id: String,
	/// Size in bytes.
	pub size: u64,
	/// Content type sent with it (`text/html; charset=utf-8`).
	#[serde(rename = "type")]
	pub mime: String,
}

impl SiteFile {
	/// The file's content id (checked when the manifest was read).
	pub fn content_id(&self) -> Result<ContentId, SiteError> {
		parse_id(&self.id).map_err(|_| SiteError::BadId(self.id.clone()))
	}
}

/// What a request path names in a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
	/// A file: answer 200 with it.
	File(&'a SiteFile),
	/// A directory named without its final `/`: redirect to this path (still encoded).
	Redirect(String),
	/// No file: answer 404 with the site's fallback page.
	Fallback(&'a SiteFile),
	/// No file and no fallback page: a plain 404.
	NotFound,
}

/// What a site answers to a request, decided from its manifest alone: the gateway
/// (`gateway/site.rs`) and the anonymous proxy of the client (`bitcloud site browse
/// --anonymous`) both answer by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
	/// A refusal: 400 a bad path, 404 no such page (and no fallback), 502 a broken manifest.
	Refused(Refusal),
	/// `308 Permanent Redirect` to this path: a directory named without its final `/`, so
	/// that relative links in its index document resolve.
	Redirect(String),
	/// A file of the site.
	Page(Page<'a>),
}

/// A refusal: its status and one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
	/// 4xx or 5xx.
	pub status: StatusCode,
	/// Why, for people.
	pub reason: String,
}

impl Refusal {
	fn new(status: StatusCode, reason: impl Into<String>) -> Self {
		Refusal { status, reason: reason.into() }
	}
}

/// The file a request finds, and how it is answered: with the manifest's `Content-Type`
/// and `X-Content-Type-Options: nosniff`, status 200, or 404 for the fallback page (sent
/// whole, never a range, and `Cache-Control: no-cache`: the path may name a page later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page<'a> {
	/// The file's content id.
	pub id: ContentId,
	/// Its entry in the manifest.
	pub file: &'a SiteFile,
	/// Whether it is the fallback page answering a path that names no file.
	pub not_found: bool,
}

impl Page<'_> {
	/// The answer's status: 200, or 404 for the fallback page.
	pub fn status(&self) -> StatusCode {
		if self.not_found {
			StatusCode::NOT_FOUND
		} else {
			StatusCode::OK
		}
	}
}

/// Refuses, before the manifest is read, a request with a method other than `GET` and
/// `HEAD` (405): a site is read only.
pub fn check_method(method: &Method) -> Result<(), Refusal> {
	if method == Method::GET || method == Method::HEAD {
		return Ok(());
	}
	Err(Refusal::new(StatusCode::METHOD_NOT_ALLOWED, "a site answers GET and HEAD only"))
}

/// What `manifest`, the manifest of `site`, answers to `request_path` (percent-encoded,
/// without the query): see [`Manifest::resolve`].
pub fn answer<'a>(site: &ContentId, manifest: &'a Manifest, request_path: &str) -> Answer<'a> {
	let (file, not_found) = match manifest.resolve(request_path) {
		Err(e) => {
			return Answer::Refused(Refusal::new(StatusCode::BAD_REQUEST, format!("bad path: {e}")))
		},
		Ok(Resolved::Redirect(to)) => return Answer::Redirect(to),
		Ok(Resolved::NotFound) => {
			return Answer::Refused(Refusal::new(
				StatusCode::NOT_FOUND,
				"no such page on this site",
			))
		},
		Ok(Resolved::File(file)) => (file, false),
		Ok(Resolved::Fallback(file)) => (file, true),
	};
	// Checked when the manifest was read.
	match file.content_id() {
		Ok(id) => Answer::Page(Page { id, file, not_found }),
		Err(e) => Answer::Refused(broken(site, &e)),
	}
}

/// The answer to a request to `site` whose manifest is not one (`e` says why): the site is
/// broken, not the request (502).
pub fn broken(site: &ContentId, e: &dyn fmt::Display) -> Refusal {
	Refusal::new(StatusCode::BAD_GATEWAY, format!("site {} is broken: {e}", to_cid(site)))
}

/// Why a manifest is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteError {
	/// Larger than [`MAX_MANIFEST_BYTES`].
	TooLarge(u64),
	/// Not a manifest: not JSON of this shape.
	NotAManifest(String),
	/// Another format version.
	UnsupportedVersion(u32),
	/// More files than [`MAX_SITE_FILES`], or none.
	FileCount(usize),
	/// A file path (or the index or fallback) that is not a plain relative path.
	BadPath(String, PathError),
	/// The index document is not a single file name.
	BadIndex(String),
	/// The fallback names no file of the site.
	MissingFallback(String),
	/// A file id that is not a content id.
	BadId(String),
	/// A content type that is too long or not a valid header value.
	BadType(String),
}

impl fmt::Display for SiteError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			SiteError::TooLarge(size) => {
				write!(f, "the manifest is {size} bytes; at most {MAX_MANIFEST_BYTES} are read")
			},
			SiteError::NotAManifest(e) => write!(f, "not a site manifest: {e}"),
			SiteError::UnsupportedVersion(v) => {
				write!(
					f,
					"manifest version {v} is not supported (this gateway reads {MANIFEST_VERSION})"
				)
			},
			SiteError::FileCount(n) => {
				write!(f, "a site has 1 to {MAX_SITE_FILES} files; this manifest names {n}")
			},
			SiteError::BadPath(path, e) => write!(f, "bad path {path:?} in the manifest: {e}"),
			SiteError::BadIndex(name) => {
				write!(f, "the index document {name:?} is not a single file name")
			},
			SiteError::MissingFallback(path) => {
				write!(f, "the fallback page {path:?} is not a file of the site")
			},
			SiteError::BadId(id) => write!(f, "{id:?} is not a content id"),
			SiteError::BadType(mime) => write!(f, "{mime:?} is not a content type"),
		}
	}
}

impl std::error::Error for SiteError {}

/// Why a path is refused: every one is the client's mistake (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
	/// Longer than [`MAX_PATH_BYTES`].
	TooLong,
	/// A request path that does not start with `/`.
	NotAbsolute,
	/// Percent-decodes to bytes that are not UTF-8.
	NotUtf8,
	/// A `.` or `..` segment (also percent-encoded).
	DotSegment,
	/// An empty segment (`a//b`, or a leading `/` in a manifest path).
	EmptySegment,
	/// A backslash or a control character.
	BadCharacter,
}

impl fmt::Display for PathError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			PathError::TooLong => "the path is too long",
			PathError::NotAbsolute => "the path does not start with /",
			PathError::NotUtf8 => "the path does not decode to UTF-8",
			PathError::DotSegment => "'.' and '..' are not allowed in paths",
			PathError::EmptySegment => "empty path segment",
			PathError::BadCharacter => {
				"backslashes and control characters are not allowed in paths"
			},
		})
	}
}

impl std::error::Error for PathError {}

impl Manifest {
	/// A manifest of `files` with `index` as the index document and an optional fallback.
	pub fn new(
		files: BTreeMap<String, SiteFile>,
		index: &str,
		fallback: Option<&str>,
	) -> Result<Self, SiteError> {
		let manifest = Manifest {
			bitcloud_site: MANIFEST_VERSION,
			index: index.to_string(),
			fallback: fallback.map(str::to_string),
			files,
		};
		manifest.check()?;
		Ok(manifest)
	}

	/// Reads and checks a manifest.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, SiteError> {
		if bytes.len() as u64 > MAX_MANIFEST_BYTES {
			return Err(SiteError::TooLarge(bytes.len() as u64));
		}
		let manifest: Manifest =
			serde_json::from_slice(bytes).map_err(|e| SiteError::NotAManifest(e.to_string()))?;
		manifest.check()?;
		Ok(manifest)
	}

	/// The manifest's bytes: the same files always give the same bytes, so the same id.
	pub fn to_bytes(&self) -> Vec<u8> {
		// Serialising maps of strings and numbers cannot fail.
		serde_json::to_vec_pretty(self).unwrap_or_default()
	}

	/// What `request_path` (the path of a request, percent-encoded, without the query) names.
	pub fn resolve(&self, request_path: &str) -> Result<Resolved<'_>, PathError> {
		let path = decode_request_path(request_path)?;
		let found = if path.is_empty() || path.ends_with('/') {
			self.files.get(&format!("{path}{}", self.index))
		} else {
			self.files.get(&path)
		};
		if let Some(file) = found {
			return Ok(Resolved::File(file));
		}
		if !path.is_empty() && self.files.contains_key(&format!("{path}/{}", self.index)) {
			return Ok(Resolved::Redirect(format!("{request_path}/")));
		}
		let fallback = self.fallback.as_ref().and_then(|path| self.files.get(path));
		Ok(fallback.map_or(Resolved::NotFound, Resolved::Fallback))
	}

	fn check(&self) -> Result<(), SiteError> {
		if self.bitcloud_site != MANIFEST_VERSION {
			return Err(SiteError::UnsupportedVersion(self.bitcloud_site));
		}
		if self.files.is_empty() || self.files.len() > MAX_SITE_FILES {
			return Err(SiteError::FileCount(self.files.len()));
		}
		if self.index.contains('/') || check_relative_path(&self.index).is_err() {
			return Err(SiteError::BadIndex(self.index.clone()));
		}
		for (path, file) in &self.files {
			check_relative_path(path).map_err(|e| SiteError::BadPath(path.clone(), e))?;
			file.content_id()?;
			check_type(&file.mime)?;
		}
		match &self.fallback {
			Some(path) if !self.files.contains_key(path) => {
				Err(SiteError::MissingFallback(path.clone()))
			},
			_ => Ok(()),
		}
	}
}

/// A file entry for `id` of `size` bytes and type `mime`.
pub fn site_file(id: &ContentId, size: u64, mime: &str) -> SiteFile {
	SiteFile { id: to_hex(id), size, mime: mime.to_string() }
}

/// Checks a path of a manifest: relative, `/`-separated, no empty, `.` or `..` segment, no
/// backslash or control character, at most [`MAX_PATH_BYTES`].
pub fn check_relative_path(path: &str) -> Result<(), PathError> {
	if path.len() > MAX_PATH_BYTES {
		return Err(PathError::TooLong);
	}
	if path.chars().any(|c| c == '\\' || c.is_control()) {
		return Err(PathError::BadCharacter);
	}
	for segment in path.split('/') {
		match segment {
			"" => return Err(PathError::EmptySegment),
			"." | ".." => return Err(PathError::DotSegment),
			_ => {},
		}
	}
	Ok(())
}

/// The decoded path of a request without its leading `/`: empty for the root, ending with
/// `/` for a directory.
fn decode_request_path(request_path: &str) -> Result<String, PathError> {
	// Percent-encoding at most triples a path's length.
	if request_path.len() > 3 * MAX_PATH_BYTES {
		return Err(PathError::TooLong);
	}
	let encoded = request_path.strip_prefix('/').ok_or(PathError::NotAbsolute)?;
	let decoded = percent_encoding::percent_decode_str(encoded)
		.decode_utf8()
		.map_err(|_| PathError::NotUtf8)?;
	if decoded.starts_with('/') {
		return Err(PathError::EmptySegment);
	}
	let inner = decoded.strip_suffix('/').unwrap_or(&decoded);
	if !inner.is_empty() {
		check_relative_path(inner)?;
	}
	Ok(decoded.into_owned())
}

/// The content type of a manifest entry: short, and a valid header value (visible ASCII).
fn check_type(mime: &str) -> Result<(), SiteError> {
	let valid = !mime.is_empty()
		&& mime.len() <= MAX_TYPE_BYTES
		&& mime.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
	valid.then_some(()).ok_or_else(|| SiteError::BadType(mime.to_string()))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn file(byte: u8) -> SiteFile {
		site_file(&[byte; 32], u64::from(byte), "text/html; charset=utf-8")
	}

	fn site() -> Manifest {
		let files = [
			("index.html", 1),
			("about.html", 2),
			("docs/index.html", 3),
			("docs/guide/intro.html", 4),
			("404.html", 5),
			("a file with spaces.txt", 6),
			("ünïcode.txt", 7),
		];
		let files = files.into_iter().map(|(path, byte)| (path.to_string(), file(byte))).collect();
		Manifest::new(files, DEFAULT_INDEX, Some("404.html")).unwrap()
	}

	#[test]
	fn paths_find_files_index_documents_and_the_fallback() {
		let site = site();
		let file_of = |path: &str| match site.resolve(path).unwrap() {
			Resolved::File(file) => file.size,
			other => panic!("{path}: {other:?}"),
		};
		assert_eq!(file_of("/"), 1);
		assert_eq!(file_of("/about.html"), 2);
		assert_eq!(file_of("/docs/"), 3);
		assert_eq!(file_of("/docs/index.html"), 3);
		assert_eq!(file_of("/docs/guide/intro.html"), 4);
		assert_eq!(file_of("/a%20file%20with%20spaces.txt"), 6);
		assert_eq!(file_of("/%C3%BCn%C3%AFcode.txt"), 7);
		assert_eq!(site.resolve("/docs").unwrap(), Resolved::Redirect("/docs/".into()));
		assert_eq!(site.resolve("/nothing").unwrap(), Resolved::Fallback(&file(5)));
		// A directory without an index document is no file.
		assert_eq!(site.resolve("/docs/guide/").unwrap(), Resolved::Fallback(&file(5)));
		let mut bare = site.clone();
		bare.fallback = None;
		assert_eq!(bare.resolve("/nothing").unwrap(), Resolved::NotFound);
	}

	#[test]
	fn path_tricks_are_refused() {
		let site = site();
		for (path, error) in [
			("/../index.html", PathError::DotSegment),
			("/docs/../index.html", PathError::DotSegment),
			("/docs/%2e%2e/index.html", PathError::DotSegment),
			("/docs/%2E%2E/%2e%2E/etc/passwd", PathError::DotSegment),
			("/./index.html", PathError::DotSegment),
			("/docs//index.html", PathError::EmptySegment),
			("//index.html", PathError::EmptySegment),
			("//", PathError::EmptySegment),
			("/docs%5c..%5cindex.html", PathError::BadCharacter),
			("/index.html%00.txt", PathError::BadCharacter),
			("/%0aSet-Cookie:x", PathError::BadCharacter),
			("/%ff%fe", PathError::NotUtf8),
			("index.html", PathError::NotAbsolute),
		] {
			assert_eq!(site.resolve(path), Err(error), "{path}");
		}
		assert_eq!(
			site.resolve(&format!("/{}", "a".repeat(3 * MAX_PATH_BYTES))),
			Err(PathError::TooLong)
		);
	}

	#[test]
	fn answers_name_the_page_its_status_or_the_refusal() {
		let site = site();
		let id = [9; 32];
		let page = |path: &str| match answer(&id, &site, path) {
			Answer::Page(page) => (page.file.size, page.status()),
			other => panic!("{path}: {other:?}"),
		};
		assert_eq!(page("/"), (1, StatusCode::OK));
		assert_eq!(page("/docs/guide/intro.html"), (4, StatusCode::OK));
		assert_eq!(page("/nothing"), (5, StatusCode::NOT_FOUND));
		assert_eq!(answer(&id, &site, "/docs"), Answer::Redirect("/docs/".into()));
		let refused = |path: &str, manifest: &Manifest| match answer(&id, manifest, path) {
			Answer::Refused(Refusal { status, reason }) => (status, reason),
			other => panic!("{path}: {other:?}"),
		};
		let (status, reason) = refused("/docs/%2e%2e/index.html", &site);
		assert_eq!(
			(status, reason.as_str()),
			(StatusCode::BAD_REQUEST, "bad path: '.' and '..' are not allowed in paths")
		);
		let mut bare = site.clone();
		bare.fallback = None;
		assert_eq!(refused("/nothing", &bare).0, StatusCode::NOT_FOUND);
		let mut broken_id = site.clone();
		broken_id.files.get_mut("index.html").unwrap().id = "beef".into();
		let (status, reason) = refused("/", &broken_id);
		assert_eq!(status, StatusCode::BAD_GATEWAY);
		assert!(reason.starts_with(&format!("site {} is broken", to_cid(&id))), "{reason}");
		assert_eq!(check_method(&Method::GET), Ok(()));
		assert_eq!(check_method(&Method::HEAD), Ok(()));
		for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
			assert_eq!(check_method(&method).unwrap_err().status, StatusCode::METHOD_NOT_ALLOWED);
		}
	}

	#[test]
	fn manifests_round_trip_byte_for_byte() {
		let site = site();
		let bytes = site.to_bytes();
		assert_eq!(Manifest::from_bytes(&bytes).unwrap(), site);
		assert_eq!(Manifest::from_bytes(&bytes).unwrap().to_bytes(), bytes);
	}

	#[test]
	fn bad_manifests_are_refused_with_the_reason() {
		let with = |edit: &dyn Fn(&mut Manifest)| {
			let mut site = site();
			edit(&mut site);
			Manifest::from_bytes(&serde_json::to_vec(&site).unwrap()).unwrap_err()
		};
		let bad_path = |path: &str| {
			let path = path.to_string();
			with(&move |m| {
				m.files.insert(path.clone(), file(9));
			})
		};
		assert!(matches!(bad_path("../escape.html"), SiteError::BadPath(_, PathError::DotSegment)));
		assert!(matches!(bad_path("/abs.html"), SiteError::BadPath(_, PathError::EmptySegment)));
		assert!(matches!(bad_path("dir/"), SiteError::BadPath(_, PathError::EmptySegment)));
		assert!(matches!(bad_path("a\\b"), SiteError::BadPath(_, PathError::BadCharacter)));
		assert!(matches!(
			bad_path(&"a".repeat(MAX_PATH_BYTES + 1)),
			SiteError::BadPath(_, PathError::TooLong)
		));
		assert_eq!(with(&|m| m.bitcloud_site = 2), SiteError::UnsupportedVersion(2));
		assert_eq!(with(&|m| m.files.clear()), SiteError::FileCount(0));
		assert_eq!(
			with(&|m| m.index = "docs/index.html".into()),
			SiteError::BadIndex("docs/index.html".into())
		);
		assert_eq!(with(&|m| m.index = "..".into()), SiteError::BadIndex("..".into()));
		assert_eq!(
			with(&|m| m.fallback = Some("none.html".into())),
			SiteError::MissingFallback("none.html".into())
		);
		let bad_id = with(&|m| m.files.get_mut("index.html").unwrap().id = "beef".into());
		assert_eq!(bad_id, SiteError::BadId("beef".into()));
		let bad_type =
			with(&|m| m.files.get_mut("index.html").unwrap().mime = "text/html\r\nX: y".into());
		assert!(matches!(bad_type, SiteError::BadType(_)));
		let too_many = with(&|m| {
			m.files = (0..=MAX_SITE_FILES).map(|i| (format!("f{i}"), file(1))).collect();
		});
		assert_eq!(too_many, SiteError::FileCount(MAX_SITE_FILES + 1));
		assert!(matches!(Manifest::from_bytes(b"<html>"), Err(SiteError::NotAManifest(_))));
		let unknown = br#"{"bitcloudSite":1,"index":"index.html","files":{},"extra":1}"#;
		assert!(matches!(Manifest::from_bytes(unknown), Err(SiteError::NotAManifest(_))));
		let huge = vec![b' '; MAX_MANIFEST_BYTES as usize + 1];
		assert_eq!(Manifest::from_bytes(&huge), Err(SiteError::TooLarge(MAX_MANIFEST_BYTES + 1)));
	}
}
