//! WeTube, the browser app: `GET /` sends the browser to `/app/`, which serves the app's
//! built files (`apps/wetube/dist/`, written by `scripts/wetube-build`), embedded in the
//! binary when this crate is compiled, so every content node serves the same app with
//! nothing to install. The files are small and few: one table below names them all.
//!
//! The files change with the binary only, so they are revalidated (`no-cache`) against an
//! `ETag` (BLAKE3 of the bytes) instead of being cached for a time: a node upgraded to a
//! new app is seen at the next load.

use super::{content::not_modified, responses::refuse};
use crate::id::to_hex;
use axum::{
	extract::Path,
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::{IntoResponse, Redirect, Response},
	routing::get,
	Router,
};
use std::sync::OnceLock;

/// Where the app is served.
const APP: &str = "/app/";

/// `Content-Security-Policy` of the app: scripts only from the node ('wasm-unsafe-eval' for
/// the verifier and polkadot-js' wasm crypto), connections to any node's gateway and RPC
/// (http and ws), media from the node and from the blobs of verified bytes, images from the
/// node and `data:`; nothing else, no plugins, never inside a frame.
const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
	worker-src 'self'; connect-src * ws: wss:; media-src 'self' blob:; img-src 'self' data:; \
	style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; \
	frame-ancestors 'none'";

/// One file of the app.
struct AppFile {
	/// Its name under `/app/`.
	name: &'static str,
	/// Its `Content-Type`.
	content_type: &'static str,
	/// Its bytes, embedded at compile time.
	bytes: &'static [u8],
	/// Its `ETag`, computed at its first request.
	etag: OnceLock<HeaderValue>,
}

/// An [`AppFile`] of `apps/wetube/dist/`.
macro_rules! app_file {
	($name:literal, $content_type:literal) => {
		AppFile {
			name: $name,
			content_type: $content_type,
			bytes: include_bytes!(concat!(
				env!("CARGO_MANIFEST_DIR"),
				"/../../apps/wetube/dist/",
				$name
			)),
			etag: OnceLock::new(),
		}
	};
}

/// Every file the app has; anything else under `/app/` is 404.
static FILES: [AppFile; 5] = [
	app_file!("index.html", "text/html; charset=utf-8"),
	app_file!("app.js", "text/javascript; charset=utf-8"),
	app_file!("sw.js", "text/javascript; charset=utf-8"),
	app_file!("style.css", "text/css; charset=utf-8"),
	app_file!("verifier.wasm", "application/wasm"),
];

impl AppFile {
	/// The file's `ETag`: BLAKE3 of its bytes, quoted.
	fn etag(&self) -> &HeaderValue {
		self.etag.get_or_init(|| {
			let tag = format!("\"{}\"", to_hex(blake3::hash(self.bytes).as_bytes()));
			HeaderValue::from_str(&tag).expect("quoted hex is a valid header value; qed")
		})
	}

	/// The answer to a `GET` of the file: 304 when the client has these bytes already.
	fn answer(&self, request: &HeaderMap) -> Response {
		let etag = self.etag();
		let headers = [
			(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type)),
			(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
			(header::ETAG, etag.clone()),
			(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
			(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
		];
		let fresh = etag.to_str().is_ok_and(|etag| not_modified(request, etag));
		if fresh {
			return (StatusCode::NOT_MODIFIED, headers).into_response();
		}
		(headers, self.bytes).into_response()
	}
}

/// The app's routes.
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
	Router::new()
		.route("/", get(|| async { Redirect::to(APP) }))
		// Without the slash the app's relative URLs would resolve against `/`.
		.route("/app", get(|| async { Redirect::to(APP) }))
		.route("/app/", get(|headers: HeaderMap| async move { file("index.html", &headers) }))
		.route(
			"/app/{file}",
			get(
				|Path(name): Path<String>, headers: HeaderMap| async move { file(&name, &headers) },
			),
		)
}

/// The answer to `GET /app/{name}`.
fn file(name: &str, request: &HeaderMap) -> Response {
	match FILES.iter().find(|file| file.name == name) {
		Some(file) => file.answer(request),
		None => refuse(StatusCode::NOT_FOUND, "no such file in the app"),
	}
}
