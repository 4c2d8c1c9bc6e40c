//! The gateway's front: every request passes here first. A request to a website's host gets
//! a page of the site (`site`); `GET`/`HEAD /content/{id}`, the request small files are
//! asked with, is answered at once; everything else goes through the router. Every answer is
//! counted by status.
//!
//! One hand-written service instead of three axum middlewares around the router: each of
//! those cost a cloned service and a boxed future per request, together a sixth of the CPU of
//! answering a 4 KiB file (docs/performance.md, "Session 16").

use super::{content, site, Gateway};
use axum::{
	body::Body,
	extract::Request,
	http::{Method, Request as HttpRequest},
	response::Response,
	Router,
};
use bytes::Bytes;
use std::{
	convert::Infallible,
	future::Future,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
};
use tower::{BoxError, Service, ServiceExt as _};

/// The gateway as a service: its front, then its router.
#[derive(Clone)]
pub struct Front {
	gateway: Arc<Gateway>,
	router: Router,
}

impl Front {
	/// The front of `gateway`, passing what it does not answer itself to `router`.
	pub(super) fn new(gateway: Arc<Gateway>, router: Router) -> Self {
		Front { gateway, router }
	}
}

impl<B> Service<HttpRequest<B>> for Front
where
	B: hyper::body::Body<Data = Bytes> + Send + 'static,
	B::Error: Into<BoxError>,
{
	type Response = Response;
	type Error = Infallible;
	type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

	fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
		Poll::Ready(Ok(()))
	}

	fn call(&mut self, request: HttpRequest<B>) -> Self::Future {
		let (gateway, router) = (self.gateway.clone(), self.router.clone());
		Box::pin(async move {
			let response = answer(&gateway, router, request).await;
			gateway.metrics.count_status(response.status().as_u16());
			Ok(response)
		})
	}
}

/// The answer to `request`.
async fn answer<B>(gateway: &Arc<Gateway>, router: Router, request: HttpRequest<B>) -> Response
where
	B: hyper::body::Body<Data = Bytes> + Send + 'static,
	B::Error: Into<BoxError>,
{
	// Held apart from the body: a body may not be shared between threads. It is boxed for the
	// router only: the requests answered here have none.
	let (head, body) = request.into_parts();
	// A site's host has only the site's pages, whatever the path.
	if let Some(site) = site::site_of_host(&head.headers) {
		return site::answer_page(gateway, site, &head).await;
	}
	if let Some(id) = content_id(&head.method, head.uri.path()) {
		return content::answer(gateway, id, &head.method, &head.headers).await;
	}
	match router.oneshot(Request::from_parts(head, Body::new(body))).await {
		Ok(response) => response,
		Err(never) => match never {},
	}
}

/// The id of a `GET` or `HEAD` of `/content/{id}`; `None` for every other request, and for
/// an id with percent-escapes (the router decodes those).
fn content_id<'a>(method: &Method, path: &'a str) -> Option<&'a str> {
	if method != Method::GET && method != Method::HEAD {
		return None;
	}
	let id = path.strip_prefix("/content/")?;
	let plain = !id.is_empty() && !id.contains(['/', '%']);
	plain.then_some(id)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_gets_and_heads_of_plain_content_paths_are_answered_in_front() {
		assert_eq!(content_id(&Method::GET, "/content/abc"), Some("abc"));
		assert_eq!(content_id(&Method::HEAD, "/content/abc"), Some("abc"));
		assert_eq!(content_id(&Method::PUT, "/content/abc"), None);
		assert_eq!(content_id(&Method::OPTIONS, "/content/abc"), None);
		assert_eq!(content_id(&Method::GET, "/content/abc/outboard"), None);
		assert_eq!(content_id(&Method::GET, "/content/"), None);
		assert_eq!(content_id(&Method::GET, "/content/a%62c"), None);
		assert_eq!(content_id(&Method::GET, "/contents/abc"), None);
		assert_eq!(content_id(&Method::GET, "/status"), None);
	}
}
