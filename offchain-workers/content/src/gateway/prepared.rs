//! Prepared answers: the headers of the `200` answer to a plain `GET /content/{id}` (no range,
//! no validator, no payment) of an object the store keeps in memory ([`crate::hot`]), worked
//! out once per best block and reused for every such request until the chain moves on.
//!
//! A request for a small file on a new connection runs code that has gone cold since the last
//! one; answering from a prepared head skips most of it (the serving rule's verdict, the
//! store's size, building the representation), as nginx answers from its open-file cache
//! (docs/performance.md, "Session 19"). What the head says depends only on the item and the
//! chain: its id, its listing (type, size) and whether this node may serve it, all fixed for
//! one best block. So a head is kept under the block it was worked out at and used only
//! while that block is best: a denial or a delisting takes effect with the next block, as
//! with the verdicts the chain view keeps per block. The bytes are not kept here: each
//! answer takes them from the store's memory, so an object the store let go (removed,
//! quarantined, evicted) is answered by the full path, and a pending storage challenge is
//! checked on every request.

use axum::http::HeaderMap;
use bitcloud_primitives::ContentId;
use polkadot_sdk::sp_core::H256;
use std::{
	collections::HashMap,
	sync::{Mutex, MutexGuard},
};

/// Heads kept at most, for one block: the small files asked for most in 6 s; more are
/// answered by the full path. About 0.7 KiB each.
pub(super) const MAX_PREPARED: usize = 4096;

/// The heads of answers prepared at one best block.
#[derive(Default)]
pub(super) struct PreparedAnswers {
	inner: Mutex<Prepared>,
}

/// The block the heads were worked out at, and the heads by item.
#[derive(Default)]
struct Prepared {
	at: Option<H256>,
	heads: HashMap<ContentId, HeaderMap>,
}

impl PreparedAnswers {
	/// The head prepared for `id` at best block `at`, if any.
	pub(super) fn head(&self, at: H256, id: &ContentId) -> Option<HeaderMap> {
		let prepared = self.lock();
		if prepared.at != Some(at) {
			return None;
		}
		prepared.heads.get(id).cloned()
	}

	/// Keeps `head`, the answer's for `id` worked out while `at` was the best block; heads of
	/// another block are dropped first. Beyond [`MAX_PREPARED`] heads, nothing more is kept.
	pub(super) fn keep(&self, at: H256, id: ContentId, head: HeaderMap) {
		let mut prepared = self.lock();
		if prepared.at != Some(at) {
			prepared.at = Some(at);
			prepared.heads.clear();
		}
		if prepared.heads.len() < MAX_PREPARED || prepared.heads.contains_key(&id) {
			prepared.heads.insert(id, head);
		}
	}

	/// Heads kept.
	#[cfg(test)]
	fn len(&self) -> usize {
		self.lock().heads.len()
	}

	fn lock(&self) -> MutexGuard<'_, Prepared> {
		self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use axum::http::{header, HeaderValue};

	fn head(tag: &'static str) -> HeaderMap {
		let mut head = HeaderMap::new();
		head.insert(header::ETAG, HeaderValue::from_static(tag));
		head
	}

	#[test]
	fn a_head_is_used_only_at_the_block_it_was_prepared_at() {
		let prepared = PreparedAnswers::default();
		let (one, two) = (H256::repeat_byte(1), H256::repeat_byte(2));
		prepared.keep(one, [7; 32], head("\"a\""));
		assert_eq!(prepared.head(one, &[7; 32]), Some(head("\"a\"")));
		assert_eq!(prepared.head(one, &[8; 32]), None, "another item");
		assert_eq!(prepared.head(two, &[7; 32]), None, "another block");
	}

	#[test]
	fn a_head_of_a_new_block_drops_the_old_blocks_heads() {
		let prepared = PreparedAnswers::default();
		let (one, two) = (H256::repeat_byte(1), H256::repeat_byte(2));
		prepared.keep(one, [7; 32], head("\"a\""));
		prepared.keep(one, [8; 32], head("\"b\""));
		prepared.keep(two, [9; 32], head("\"c\""));
		assert_eq!(prepared.len(), 1);
		assert_eq!(prepared.head(two, &[9; 32]), Some(head("\"c\"")));
		assert_eq!(prepared.head(one, &[7; 32]), None);
	}

	#[test]
	fn no_more_than_the_bound_is_kept_but_a_kept_head_is_replaced() {
		let prepared = PreparedAnswers::default();
		let at = H256::repeat_byte(1);
		for n in 0..MAX_PREPARED as u32 + 10 {
			let mut id = [0; 32];
			id[..4].copy_from_slice(&n.to_le_bytes());
			prepared.keep(at, id, head("\"a\""));
		}
		assert_eq!(prepared.len(), MAX_PREPARED);
		prepared.keep(at, [0; 32], head("\"b\""));
		assert_eq!(prepared.head(at, &[0; 32]), Some(head("\"b\"")));
		assert_eq!(prepared.len(), MAX_PREPARED);
	}
}
