//! The gateway's side of the receipt exchange (`docs/protocol.md`, "Receipts between client
//! and gateway"): who pays for a request, what it can still pay for, the receipts it sends.
//!
//! A paying request names its client and proves it ([`crate::protocol`]); the gateway then
//! sends it only what it can still pay for: its quota of the epoch, less what the chain
//! already credited against it and what this node already sent it in the epoch under any
//! moderator, and only while the bytes no receipt covers stay within the signing window.

use super::{
	responses::{chain_error, done, refuse},
	Gateway,
};
use crate::{
	protocol::{
		parse_hex32, ReceiptKey, AUTH_HEADER, CLIENT_HEADER, EPOCH_HEADER, MODERATOR_HEADER,
		NODE_HEADER, QUOTA_LEFT_HEADER, RECEIPT_HEADER, RECEIPT_HELD_HEADER, WINDOW_HEADER,
	},
	window::{ReceiptError, Reservation, SigningWindow},
};
use axum::{
	body::Bytes,
	extract::State,
	http::{HeaderMap, HeaderValue, StatusCode},
	response::Response,
};
use bitcloud_primitives::{receipt::SignedReceipt, AccountId, EpochIndex};
use codec::{Decode, Encode};
use std::{sync::Arc, time::Duration};

/// How long a stream waits for a receipt when its client's window is full before it cuts
/// the connection.
pub const RECEIPT_WAIT: Duration = Duration::from_secs(5);

/// Largest receipt taken by `POST /receipts`.
const MAX_RECEIPT_BYTES: usize = 1024;

/// A client paying with receipts, for one request.
pub(crate) struct Paying {
	window: Arc<SigningWindow>,
	/// The receipt this request's bytes count towards.
	key: ReceiptKey,
	/// Bytes the client can pay for in the epoch at this node, counting what this node
	/// already sent it: its quota less what the chain credited against it.
	budget: u64,
}

impl Paying {
	/// The paying client.
	pub(crate) fn client(&self) -> &AccountId {
		&self.key.client
	}

	/// Bytes this node may still send the client in the epoch.
	fn left(&self) -> u64 {
		self.budget.saturating_sub(self.window.sent_in_epoch(&self.key.client, self.key.epoch))
	}

	/// `Ok` if the client can pay for `len` more bytes; else the 402 answer.
	pub(crate) fn ensure_affordable(&self, len: u64) -> Result<(), Response> {
		let left = self.left();
		if len > left {
			return Err(self.over_quota(left));
		}
		Ok(())
	}

	/// Reserves `len` bytes to send now; else the 402 answer.
	pub(crate) fn reserve(&self, len: u64) -> Result<(), Response> {
		match self.window.reserve(&self.key, len, self.budget) {
			Reservation::Reserved => Ok(()),
			Reservation::OverQuota { left } => Err(self.over_quota(left)),
			Reservation::WindowFull { unsigned } => Err(refuse(
				StatusCode::PAYMENT_REQUIRED,
				&format!(
					"sign a receipt for the bytes already sent: {unsigned} unsigned, window {}",
					self.window.window()
				),
			)),
		}
	}

	/// Reserves `len` bytes, waiting up to [`RECEIPT_WAIT`] for a receipt to make room in the
	/// window; false when none came or the client cannot pay for them.
	pub(crate) async fn wait_and_reserve(&self, len: u64) -> bool {
		let deadline = tokio::time::Instant::now() + RECEIPT_WAIT;
		loop {
			match self.window.reserve(&self.key, len, self.budget) {
				Reservation::Reserved => return true,
				Reservation::OverQuota { .. } => return false,
				Reservation::WindowFull { .. } if tokio::time::Instant::now() >= deadline => {
					return false
				},
				Reservation::WindowFull { .. } => {
					tokio::time::sleep(Duration::from_millis(20)).await
				},
			}
		}
	}

	/// The 402 answer to a request for more than the client can pay for.
	fn over_quota(&self, left: u64) -> Response {
		let mut answer = refuse(
			StatusCode::PAYMENT_REQUIRED,
			&format!(
				"bandwidth quota of epoch {} used up at this node: {left} bytes left; lock more \
				 CLD (bitcloud lock) or wait for the next epoch",
				self.key.epoch
			),
		);
		answer.headers_mut().insert(QUOTA_LEFT_HEADER, HeaderValue::from(left));
		answer
	}

	/// The headers that tell the client what to sign.
	pub(crate) fn headers(
		&self,
		builder: axum::http::response::Builder,
	) -> axum::http::response::Builder {
		let mut builder = builder
			.header(NODE_HEADER, format!("0x{}", hex::encode(self.window.node())))
			.header(EPOCH_HEADER, self.key.epoch)
			.header(WINDOW_HEADER, self.window.window())
			.header(QUOTA_LEFT_HEADER, self.left());
		if let Some(moderator) = &self.key.moderator {
			builder = builder.header(MODERATOR_HEADER, format!("0x{}", hex::encode(moderator)));
		}
		if let Some(held) = self.window.held(&self.key) {
			builder = builder.header(RECEIPT_HELD_HEADER, hex::encode(held.encode()));
		}
		builder
	}
}

/// The client named by `Bitcloud-Client`, after checking that the request comes from it,
/// taking the receipt it sent and checking what it can still pay for; none for a request
/// without the header (served without receipts).
pub(crate) async fn paying_client(
	gateway: &Arc<Gateway>,
	headers: &HeaderMap,
	moderator: AccountId,
) -> Result<Option<Paying>, Response> {
	let Some(value) = headers.get(CLIENT_HEADER) else { return Ok(None) };
	let client = parse_account(value).ok_or_else(|| {
		refuse(StatusCode::BAD_REQUEST, "Bitcloud-Client is 0x and 64 hex digits")
	})?;
	let Some(window) = gateway.window.clone() else {
		return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "this gateway takes no receipts"));
	};
	authenticate(&window, headers, &client)?;
	let epoch = current_epoch(gateway).await?;
	if let Some(value) = headers.get(RECEIPT_HEADER) {
		let receipt = decode_receipt(value.as_bytes())?;
		if receipt.receipt.client != client {
			return Err(refuse(StatusCode::BAD_REQUEST, "the receipt is another client's"));
		}
		match offer(gateway, &window, receipt, epoch).await? {
			// Requests under way at once carry receipts that may arrive out of order: one no
			// newer than the receipt held brings nothing, and costs the request nothing.
			Ok(_) | Err(ReceiptError::NotIncreasing { .. }) => {},
			Err(e) => return Err(receipt_refused(e)),
		}
	}
	let asked = client.clone();
	let quota = gateway
		.ask_chain(move |g| g.chain.client_quota(&asked, epoch))
		.await?
		.map_err(|e| chain_error(gateway, e))?;
	let key = window.key(client, epoch, Some(moderator));
	let paying = Paying { window, key, budget: quota.quota.saturating_sub(quota.used) };
	if quota.quota == 0 {
		return Err(refuse(
			StatusCode::PAYMENT_REQUIRED,
			"no bandwidth quota this epoch: lock CLD first (bitcloud lock)",
		));
	}
	paying.ensure_affordable(1)?;
	Ok(Some(paying))
}

/// `Ok` if the request carries the named client's proof; else 401, with the node's account
/// so that a client that did not know it can sign for it.
fn authenticate(
	window: &SigningWindow,
	headers: &HeaderMap,
	client: &AccountId,
) -> Result<(), Response> {
	let proof = headers.get(AUTH_HEADER).and_then(|value| value.to_str().ok());
	window.auth().check(client, proof, std::time::SystemTime::now()).map_err(|e| {
		let mut answer = refuse(StatusCode::UNAUTHORIZED, &e.to_string());
		if let Ok(node) = HeaderValue::from_str(&format!("0x{}", hex::encode(window.node()))) {
			answer.headers_mut().insert(NODE_HEADER, node);
		}
		answer
	})
}

/// An account from `0x` and 64 hex digits.
fn parse_account(value: &HeaderValue) -> Option<AccountId> {
	parse_hex32(value.to_str().ok()?).map(AccountId::new)
}

async fn current_epoch(gateway: &Arc<Gateway>) -> Result<EpochIndex, Response> {
	let context = gateway.ask_chain(|g| g.chain.receipt_context()).await?;
	context.map(|(epoch, _)| epoch).map_err(|e| chain_error(gateway, e))
}

/// A receipt from hex (a header) or raw SCALE bytes (a body).
fn decode_receipt(bytes: &[u8]) -> Result<SignedReceipt<AccountId>, Response> {
	let raw = match hex::decode(bytes.strip_prefix(b"0x").unwrap_or(bytes)) {
		Ok(raw) => raw,
		Err(_) => bytes.to_vec(),
	};
	SignedReceipt::decode(&mut &raw[..])
		.map_err(|_| refuse(StatusCode::BAD_REQUEST, "not a SCALE-encoded signed receipt"))
}

/// Offers a receipt to the window (its signature is checked on a blocking thread): the bytes
/// it covers, or why the window did not take it.
async fn offer(
	gateway: &Arc<Gateway>,
	window: &Arc<SigningWindow>,
	receipt: SignedReceipt<AccountId>,
	epoch: EpochIndex,
) -> Result<Result<u64, ReceiptError>, Response> {
	let window = window.clone();
	gateway.ask(move |_| window.offer(receipt, epoch)).await
}

fn receipt_refused(e: ReceiptError) -> Response {
	refuse(StatusCode::BAD_REQUEST, &format!("receipt refused: {e}"))
}

/// `POST /receipts`: a receipt (SCALE bytes, or their hex) for bytes this node sent. It needs
/// no proof of its sender: the client's signature on it is one.
pub(crate) async fn post_receipt(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
	let result: Result<Response, Response> = async {
		let Some(window) = gateway.window.clone() else {
			return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "this gateway takes no receipts"));
		};
		if body.len() > MAX_RECEIPT_BYTES {
			return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "a receipt is under 1 KiB"));
		}
		let receipt = decode_receipt(&body)?;
		let epoch = current_epoch(&gateway).await?;
		let bytes = offer(&gateway, &window, receipt, epoch).await?.map_err(receipt_refused)?;
		Ok(done(StatusCode::OK, &format!("receipt for {bytes} bytes taken")))
	}
	.await;
	match result {
		Ok(response) | Err(response) => response,
	}
}
