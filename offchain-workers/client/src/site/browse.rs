//! `bitcloud site browse SITE --anonymous`: a local HTTP proxy for one anonymous site. Its
//! objects are unmoderated, so no gateway serves them over plain HTTP; the proxy fetches the
//! manifest through onion circuits, checks it, and answers `GET /path` as a gateway would
//! ([`bitcloud_content::site::answer`]: the same resolution, redirects, fallback and
//! refusals), each page fetched through circuits and verified against its id before a byte
//! of it is sent.
//!
//! Bounds: the manifest is at most [`MAX_MANIFEST_BYTES`], a page at most its manifest size
//! and [`MAX_PAGE_BYTES`] (a fetch that passes it is stopped), [`MAX_FETCHES`] fetches at
//! once, and fetched pages are kept in the gateway's own memory of verified objects
//! ([`HotObjects`]) bounded to [`MAX_CACHED_OBJECTS`] objects and [`MAX_CACHED_BYTES`] bytes,
//! least recently served dropped first. Connections are served by the gateway's own loop, with its bounds ([`bitcloud_content::gateway::serve`]).
//!
//! The proxy listens on loopback only ([`check_listen`]): whoever reaches it browses through
//! your circuits. For the same reason it answers only requests whose `Host` is loopback or
//! `localhost` ([`host_allowed`]), so a web page that rebinds its own name to 127.0.0.1
//! cannot use it.

use crate::{anonymous, rpc::Rpc, Error};
use axum::{
	body::{Body, Bytes},
	extract::State,
	http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
	response::{IntoResponse, Redirect, Response},
	Router,
};
use bitcloud_content::{
	hot::HotObjects,
	site::{self, Answer, Manifest, Page, Refusal, MAX_MANIFEST_BYTES},
	to_cid,
};
use bitcloud_onion::Anonymous;
use bitcloud_primitives::ContentId;
use std::{
	net::{IpAddr, SocketAddr},
	sync::Arc,
};
use tokio::{net::TcpListener, sync::Semaphore};

/// Where the proxy listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8090";

/// Largest page the proxy fetches: it is held whole in memory and verified before it is sent.
pub const MAX_PAGE_BYTES: u64 = 32 << 20;

/// Pages fetched through circuits at once; more requests wait.
pub const MAX_FETCHES: usize = 4;

/// Most pages kept in memory.
pub const MAX_CACHED_OBJECTS: usize = 256;

/// Most bytes of pages kept in memory.
pub const MAX_CACHED_BYTES: u64 = 64 << 20;

/// Refuses to listen at `addr` unless it is a loopback address or `public` says so: whoever
/// reaches the proxy browses through your circuits (the relays see your node, not theirs) and
/// learns which site you browse.
pub fn check_listen(addr: &SocketAddr, public: bool) -> Result<(), Error> {
	if public || addr.ip().is_loopback() {
		return Ok(());
	}
	Err(Error::Input(format!(
		"{addr} is not a loopback address: anyone who can reach it would browse through your \
		 onion circuits, as you; listen on 127.0.0.1 or [::1], or give --public-listen if that \
		 is what you want"
	)))
}

/// Whether a request with `Host: host` is answered: any host when the proxy is `public`;
/// otherwise `localhost`, a name under `.localhost` or a loopback address (a request without
/// `Host` too). A page whose name rebinds to 127.0.0.1 sends its own name, and is refused.
pub fn host_allowed(host: Option<&str>, public: bool) -> bool {
	let Some(host) = host.filter(|_| !public) else { return true };
	let name = match host.strip_prefix('[') {
		Some(rest) => rest.split(']').next().unwrap_or_default(),
		None => host.split(':').next().unwrap_or_default(),
	};
	let name = name.trim_end_matches('.').to_ascii_lowercase();
	name == "localhost"
		|| name.ends_with(".localhost")
		|| name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Where a browser reaches the site through a proxy listening at `listen`: the site's CIDv1
/// as a subdomain of `localhost` (which browsers resolve to loopback), so each site is an
/// origin of its own, as on a gateway; the address itself when it is not loopback.
pub fn proxy_url(listen: &SocketAddr, site: &ContentId) -> String {
	match listen.ip().is_loopback() {
		true => format!("http://{}.localhost:{}/", to_cid(site), listen.port()),
		false => format!("http://{listen}/"),
	}
}

/// The proxy of one site: its checked manifest, the circuits' settings and the pages kept.
struct SiteProxy {
	site: ContentId,
	manifest: Manifest,
	onion: Anonymous,
	public: bool,
	cache: HotObjects,
	fetches: Semaphore,
}

/// What the proxy tells once it listens.
#[derive(Debug, Clone)]
pub struct Listening {
	/// The address it listens at.
	pub addr: SocketAddr,
	/// Where a browser reaches the site ([`proxy_url`]).
	pub url: String,
	/// The site's files.
	pub files: usize,
}

/// Serves the anonymous site `site` at `listen` until the process ends: binds (refused off
/// loopback unless `public`), fetches and checks the manifest through circuits, tells
/// `ready`, then answers requests.
pub fn browse(
	rpc: &Rpc,
	site: ContentId,
	listen: SocketAddr,
	public: bool,
	ready: &mut dyn FnMut(&Listening),
) -> Result<(), Error> {
	check_listen(&listen, public)?;
	let onion = anonymous::anonymous(rpc, None)?;
	if onion.relays.is_empty() {
		return Err(Error::Unavailable(
			"the chain lists no onion relay: an anonymous site cannot be fetched now".into(),
		));
	}
	anonymous::runtime()?.block_on(async move {
		let listener = TcpListener::bind(listen)
			.await
			.map_err(|e| Error::Local(format!("cannot listen at {listen}: {e}")))?;
		let addr = listener
			.local_addr()
			.map_err(|e| Error::Local(format!("cannot listen at {listen}: {e}")))?;
		let manifest = fetch_manifest(&onion, &site).await?;
		let files = manifest.files.len();
		let cache = HotObjects::with_limits(MAX_PAGE_BYTES, MAX_CACHED_OBJECTS, MAX_CACHED_BYTES);
		let fetches = Semaphore::new(MAX_FETCHES);
		let proxy = SiteProxy { site, manifest, onion, public, cache, fetches };
		ready(&Listening { addr, url: proxy_url(&addr, &site), files });
		bitcloud_content::gateway::serve(listener, router(Arc::new(proxy))).await;
		Ok(())
	})
}

/// The manifest of `site` through circuits: at most [`MAX_MANIFEST_BYTES`], verified, then
/// checked as a gateway checks it.
async fn fetch_manifest(onion: &Anonymous, site: &ContentId) -> Result<Manifest, Error> {
	let cid = to_cid(site);
	let (bytes, _) = anonymous::fetch_bounded(onion, site, MAX_MANIFEST_BYTES)
		.await
		.map_err(|e| e.map_message(|e| format!("the manifest of site {cid}: {e}")))?;
	Manifest::from_bytes(&bytes).map_err(|e| Error::BadPeer(format!("site {cid} is broken: {e}")))
}

fn router(proxy: Arc<SiteProxy>) -> Router {
	Router::new().fallback(request).with_state(proxy)
}

/// Every request: a page of the site, whatever the path.
async fn request(
	State(proxy): State<Arc<SiteProxy>>,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
) -> Response {
	let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
	if !host_allowed(host, proxy.public) {
		let why = "this proxy answers requests to localhost only";
		return refused(Refusal { status: StatusCode::FORBIDDEN, reason: why.into() });
	}
	if let Err(refusal) = site::check_method(&method) {
		return refused(refusal);
	}
	match site::answer(&proxy.site, &proxy.manifest, uri.path()) {
		Answer::Page(page) => proxy.page(&page, &method).await,
		Answer::Redirect(to) => Redirect::permanent(&to).into_response(),
		Answer::Refused(refusal) => refused(refusal),
	}
}

impl SiteProxy {
	/// The answer with `page`'s bytes, once they are all fetched and verified.
	async fn page(&self, page: &Page<'_>, method: &Method) -> Response {
		let bytes = match self.object(page).await {
			Ok(bytes) => bytes,
			Err(e) => {
				eprintln!("{}: {e}", hex::encode(page.id));
				let reason = format!("could not fetch this page through the onion layer: {e}");
				return refused(Refusal { status: StatusCode::BAD_GATEWAY, reason });
			},
		};
		let mime = HeaderValue::from_str(&page.file.mime)
			.unwrap_or(HeaderValue::from_static("application/octet-stream"));
		let response = Response::builder()
			.status(page.status())
			.header(header::CONTENT_TYPE, mime)
			.header(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
			// The proxy's origin may serve another site tomorrow: nothing is cached as final.
			.header(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
			.header(header::CONTENT_LENGTH, bytes.len());
		let body = if method == Method::HEAD { Body::empty() } else { Body::from(bytes) };
		response.body(body).unwrap_or_else(|e| {
			let reason = format!("internal error: {e}");
			refused(Refusal { status: StatusCode::INTERNAL_SERVER_ERROR, reason })
		})
	}

	/// The bytes of `page`: kept, or fetched through circuits (verified) and kept.
	async fn object(&self, page: &Page<'_>) -> Result<Bytes, Error> {
		if let Some(bytes) = self.cached(&page.id) {
			return Ok(bytes);
		}
		let size = page.file.size;
		if size > MAX_PAGE_BYTES {
			return Err(Error::Refused(format!(
				"the page is {size} bytes; this proxy fetches pages of at most {MAX_PAGE_BYTES}"
			)));
		}
		let _permit = self
			.fetches
			.acquire()
			.await
			.map_err(|e| Error::Local(format!("the proxy is stopping: {e}")))?;
		// Fetched by another request while this one waited.
		if let Some(bytes) = self.cached(&page.id) {
			return Ok(bytes);
		}
		let (bytes, _) = anonymous::fetch_bounded(&self.onion, &page.id, size).await?;
		let bytes = Bytes::from(bytes);
		self.cache.insert(page.id, bytes.clone());
		Ok(bytes)
	}

	fn cached(&self, id: &ContentId) -> Option<Bytes> {
		self.cache.get(id)
	}
}

/// A refusal as the gateway words it: the status and a line of plain text.
fn refused(refusal: Refusal) -> Response {
	let content_type = HeaderValue::from_static("text/plain; charset=utf-8");
	let body = format!("{}\n", refusal.reason);
	(refusal.status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_loopback_is_listened_on_unless_asked() {
		for addr in ["127.0.0.1:8090", "[::1]:8090", "127.0.0.2:1"] {
			assert!(check_listen(&addr.parse().unwrap(), false).is_ok(), "{addr}");
		}
		for addr in ["0.0.0.0:8090", "[::]:8090", "192.168.1.2:8090", "[::ffff:127.0.0.1]:80"] {
			let refused = check_listen(&addr.parse().unwrap(), false).unwrap_err();
			assert!(matches!(refused, Error::Input(_)), "{addr}");
			assert!(refused.message().contains("--public-listen"), "{refused}");
			assert!(check_listen(&addr.parse().unwrap(), true).is_ok(), "{addr}");
		}
	}

	#[test]
	fn only_local_hosts_are_answered_unless_public() {
		for host in [
			"127.0.0.1:8090",
			"localhost:8090",
			"LOCALHOST",
			"bafkr4i.localhost:8090",
			"[::1]:8090",
			"localhost.",
		] {
			assert!(host_allowed(Some(host), false), "{host}");
		}
		assert!(host_allowed(None, false));
		for host in ["evil.example:8090", "localhost.evil.example", "192.168.1.2", "[::]:80", ""] {
			assert!(!host_allowed(Some(host), false), "{host}");
			assert!(host_allowed(Some(host), true), "{host}");
		}
	}

	#[test]
	fn urls_name_the_site_under_localhost() {
		let site = [7; 32];
		let cid = to_cid(&site);
		let url = proxy_url(&"127.0.0.1:8090".parse().unwrap(), &site);
		assert_eq!(url, format!("http://{cid}.localhost:8090/"));
		assert_eq!(proxy_url(&"10.0.0.1:80".parse().unwrap(), &site), "http://10.0.0.1:80/");
	}

	#[test]
	fn the_cache_keeps_within_its_bounds_dropping_the_least_recently_served() {
		let object = |n: u8, len: usize| ([n; 32], Bytes::from(vec![n; len]));
		let cache = HotObjects::with_limits(100, 3, 100);
		for n in 1..=3 {
			let (id, bytes) = object(n, 10);
			cache.insert(id, bytes);
		}
		assert_eq!(cache.usage(), (30, 3));
		// 1 is served again, so 2 is the least recently served when 4 comes.
		assert!(cache.get(&[1; 32]).is_some());
		let (id, bytes) = object(4, 10);
		cache.insert(id, bytes);
		assert_eq!(cache.usage(), (30, 3));
		assert!(cache.get(&[2; 32]).is_none());
		assert!(cache.get(&[1; 32]).is_some() && cache.get(&[4; 32]).is_some());
		// The byte bound: 90 bytes push out the two least recently served, 3 then 1.
		let (id, bytes) = object(5, 90);
		cache.insert(id, bytes);
		assert_eq!(cache.usage(), (100, 2));
		assert!(cache.get(&[3; 32]).is_none() && cache.get(&[1; 32]).is_none());
		assert!(cache.get(&[4; 32]).is_some());
		assert_eq!(cache.get(&[5; 32]).map(|b| b.len()), Some(90));
		// Larger than the whole cache: not kept, nothing dropped.
		let before = cache.usage();
		let (id, bytes) = object(6, 101);
		cache.insert(id, bytes);
		assert!(cache.get(&[6; 32]).is_none());
		assert_eq!(cache.usage(), before);
		// The same object again replaces itself.
		let (id, bytes) = object(5, 90);
		cache.insert(id, bytes);
		assert_eq!(cache.usage(), before);
		assert_eq!(HotObjects::with_limits(100, 0, 100).usage(), (0, 0));
	}
}
