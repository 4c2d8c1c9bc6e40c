//! Small objects kept whole in memory once verified: the gateway answers a request for one
//! without a blocking thread, a file open or a hash, as nginx answers from its open-file
//! cache and the page cache.
//!
//! Content is addressed by its BLAKE3 root, so the bytes of an id never change: an entry can
//! never be stale, only unwanted. Whether an object may be served (listed, denied, stored
//! here) is decided before the cache is asked, and [`crate::store::ContentStore::remove`]
//! drops the entry with the object, so memory does not hold what the node let go. Only bytes
//! that passed verification against the root are put here: what is served from memory is
//! always the content; a disk copy that rots after it was cached is found by the next read
//! from disk (after eviction) or by the storage law's audits, never served.

use bitcloud_primitives::ContentId;
use bytes::Bytes;
use lru::LruCache;
use std::sync::{Mutex, MutexGuard};

/// Largest object kept whole: what one response writes in one go (16 chunk groups).
pub const MAX_HOT_OBJECT: u64 = 256 * 1024;

/// Bytes of objects kept at most; the least recently served go first.
pub const HOT_BUDGET: u64 = 64 << 20;

/// Objects kept at most (a bound of its own: many tiny objects cost more than their bytes).
pub const MAX_HOT_OBJECTS: usize = 65_536;

/// Verified whole objects, least recently served evicted first. The gateway's
/// ([`Default`]) keeps objects of at most [`MAX_HOT_OBJECT`] bytes, [`MAX_HOT_OBJECTS`] of them
/// and [`HOT_BUDGET`] bytes in all; [`Self::with_limits`] sets other bounds (the client's site
/// proxy keeps whole pages).
#[derive(Debug)]
pub struct HotObjects {
	max_object: u64,
	max_objects: usize,
	budget: u64,
	inner: Mutex<Held>,
}

#[derive(Debug)]
struct Held {
	objects: LruCache<ContentId, Bytes>,
	bytes: u64,
}

impl Default for HotObjects {
	fn default() -> Self {
		Self::with_limits(MAX_HOT_OBJECT, MAX_HOT_OBJECTS, HOT_BUDGET)
	}
}

impl HotObjects {
	/// An empty cache of objects of at most `max_object` bytes, at most `max_objects` of them
	/// and `budget` bytes in all.
	pub fn with_limits(max_object: u64, max_objects: usize, budget: u64) -> Self {
		let objects = LruCache::unbounded();
		let inner = Mutex::new(Held { objects, bytes: 0 });
		HotObjects { max_object, max_objects, budget, inner }
	}

	/// Whether an object of `size` bytes is small enough to be kept.
	pub fn takes(&self, size: u64) -> bool {
		self.max_objects > 0 && size <= self.max_object.min(self.budget)
	}

	/// The bytes of `id`, if kept; marks them recently served.
	pub fn get(&self, id: &ContentId) -> Option<Bytes> {
		self.lock().objects.get(id).cloned()
	}

	/// Keeps `bytes`, which the caller verified to be all of `id`, evicting the least recently
	/// served objects until they fit. Objects too large are not kept.
	pub fn insert(&self, id: ContentId, bytes: Bytes) {
		let size = bytes.len() as u64;
		if !self.takes(size) {
			return;
		}
		let mut held = self.lock();
		if let Some(old) = held.objects.pop(&id) {
			held.bytes -= old.len() as u64;
		}
		while held.objects.len() >= self.max_objects || held.bytes + size > self.budget {
			let Some((_, evicted)) = held.objects.pop_lru() else { break };
			held.bytes -= evicted.len() as u64;
		}
		held.objects.put(id, bytes);
		held.bytes += size;
	}

	/// Forgets `id`.
	pub fn remove(&self, id: &ContentId) {
		let mut held = self.lock();
		if let Some(old) = held.objects.pop(id) {
			held.bytes -= old.len() as u64;
		}
	}

	/// Bytes and objects kept.
	pub fn usage(&self) -> (u64, usize) {
		let held = self.lock();
		(held.bytes, held.objects.len())
	}

	fn lock(&self) -> MutexGuard<'_, Held> {
		self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn object(byte: u8, len: usize) -> (ContentId, Bytes) {
		([byte; 32], Bytes::from(vec![byte; len]))
	}

	#[test]
	fn objects_are_kept_within_the_budget_least_recently_served_first_out() {
		let hot = HotObjects::with_limits(100, 10, 100);
		let (a, b, c) = (object(1, 40), object(2, 40), object(3, 40));
		hot.insert(a.0, a.1.clone());
		hot.insert(b.0, b.1.clone());
		assert_eq!(hot.get(&a.0), Some(a.1.clone()), "a is now the most recently served");
		hot.insert(c.0, c.1.clone());
		assert_eq!(hot.usage(), (80, 2));
		assert_eq!(hot.get(&b.0), None, "b was the least recently served");
		assert_eq!(hot.get(&a.0), Some(a.1));
		assert_eq!(hot.get(&c.0), Some(c.1));
	}

	#[test]
	fn an_object_larger_than_the_limit_or_the_budget_is_not_kept() {
		let hot = HotObjects::default();
		let (id, bytes) = object(1, MAX_HOT_OBJECT as usize + 1);
		hot.insert(id, bytes);
		assert_eq!(hot.usage(), (0, 0));
		let small = HotObjects::with_limits(MAX_HOT_OBJECT, 10, 10);
		let (id, bytes) = object(2, 11);
		small.insert(id, bytes);
		assert_eq!(small.usage(), (0, 0));
		assert!(small.takes(10) && !small.takes(11));
		assert!(!HotObjects::with_limits(100, 0, 100).takes(1), "a cache of no objects took one");
	}

	#[test]
	fn the_count_of_objects_is_bounded_too() {
		let hot = HotObjects::with_limits(100, 3, 100);
		for n in 1..=3 {
			let (id, bytes) = object(n, 10);
			hot.insert(id, bytes);
		}
		assert!(hot.get(&[1; 32]).is_some());
		let (id, bytes) = object(4, 10);
		hot.insert(id, bytes);
		assert_eq!(hot.usage(), (30, 3));
		assert!(hot.get(&[2; 32]).is_none(), "the least recently served stays");
		assert!(hot.get(&[1; 32]).is_some() && hot.get(&[4; 32]).is_some());
	}

	#[test]
	fn removing_and_replacing_keep_the_count_of_bytes_right() {
		let hot = HotObjects::with_limits(100, 10, 100);
		let (id, bytes) = object(1, 30);
		hot.insert(id, bytes.clone());
		hot.insert(id, bytes);
		assert_eq!(hot.usage(), (30, 1));
		hot.remove(&id);
		hot.remove(&id);
		assert_eq!(hot.usage(), (0, 0));
		assert_eq!(hot.get(&id), None);
	}
}
