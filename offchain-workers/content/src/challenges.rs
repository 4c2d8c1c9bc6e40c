//! The chunks under pending storage challenges, which a node does not hand out while the
//! challenge is open (`docs/storage-law.md`, "Fetch on demand").
//!
//! A node that deleted content it must hold could answer a challenge by fetching the named
//! chunks from a peer within the deadline. Honest peers therefore refuse, while a challenge is
//! pending, any request overlapping one of its chunks that could come from such a node:
//! unpaid gateway requests, requests paid by a registered node's account, and every onion
//! `Get` (anonymous by design). Paying clients that are not nodes are still served: a viewer
//! is never kept waiting, and such a request is counted and logged.
//!
//! The node refreshes the board once per new best block from the runtime
//! (`StorageLawApi::open_challenges`), so a request costs one map lookup, no runtime call.

use bitcloud_primitives::{storage_proof::CHUNK_LEN, ContentId};
use std::{
	collections::HashMap,
	sync::RwLock,
	time::{Duration, Instant},
};

/// Most challenges the board keeps (the runtime keeps a few hundred pending at most; this
/// only bounds memory should it ever report more).
pub const MAX_OPEN_CHALLENGES: usize = 4096;

/// A pending challenge as the board keeps it: its chunks and when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Open {
	chunks: Vec<u64>,
	closes: Instant,
}

/// The open challenges of every node, by content. Empty until the node first refreshes it.
#[derive(Debug, Default)]
pub struct ChallengeBoard {
	open: RwLock<HashMap<ContentId, Vec<Open>>>,
}

impl ChallengeBoard {
	/// Replaces the board with the challenges pending now: `(content, chunks, closes)` each,
	/// `closes` being when the block after the challenge's deadline is due.
	pub fn update(&self, open: impl IntoIterator<Item = (ContentId, Vec<u64>, Instant)>) {
		let mut by_content: HashMap<ContentId, Vec<Open>> = HashMap::new();
		for (content, chunks, closes) in open.into_iter().take(MAX_OPEN_CHALLENGES) {
			by_content.entry(content).or_default().push(Open { chunks, closes });
		}
		*self.open.write().unwrap_or_else(|p| p.into_inner()) = by_content;
	}

	/// Whether bytes `start..end` of `content` overlap a chunk under a pending challenge; if
	/// so, how long until the last of those challenges closes (the `Retry-After` a refusal
	/// gives).
	pub fn overlap(&self, content: &ContentId, start: u64, end: u64) -> Option<Duration> {
		if end <= start {
			return None;
		}
		let open = self.open.read().unwrap_or_else(|p| p.into_inner());
		let (first, last) = (start / CHUNK_LEN, (end - 1) / CHUNK_LEN);
		let now = Instant::now();
		open.get(content)?
			.iter()
			.filter(|challenge| challenge.closes > now)
			.filter(|challenge| challenge.chunks.iter().any(|c| (first..=last).contains(c)))
			.map(|challenge| challenge.closes - now)
			.max()
	}

	/// Number of challenges on the board.
	pub fn len(&self) -> usize {
		self.open.read().unwrap_or_else(|p| p.into_inner()).values().map(Vec::len).sum()
	}

	/// Whether no challenge is on the board.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const ID: ContentId = [7; 32];

	#[test]
	fn a_range_overlapping_a_challenged_chunk_is_flagged_until_the_challenge_closes() {
		let board = ChallengeBoard::default();
		let closes = Instant::now() + Duration::from_secs(30);
		board.update([(ID, vec![3, 40], closes)]);
		// Chunk 3 is bytes 3072..4096.
		assert!(board.overlap(&ID, 0, 3072).is_none());
		assert!(board.overlap(&ID, 4096, 40 * 1024).is_none());
		let wait = board.overlap(&ID, 4095, 4096).expect("chunk 3");
		assert!(wait <= Duration::from_secs(30) && wait > Duration::from_secs(20));
		assert!(board.overlap(&ID, 0, u64::MAX).is_some());
		assert!(board.overlap(&[8; 32], 0, u64::MAX).is_none());
		assert!(board.overlap(&ID, 5000, 5000).is_none());
		// Once closed the chunks are free again, even before the next refresh.
		board.update([(ID, vec![3, 40], Instant::now())]);
		assert!(board.overlap(&ID, 0, u64::MAX).is_none());
		board.update([]);
		assert!(board.is_empty());
	}

	#[test]
	fn the_board_is_bounded() {
		let board = ChallengeBoard::default();
		let closes = Instant::now() + Duration::from_secs(5);
		board.update((0..MAX_OPEN_CHALLENGES as u64 + 10).map(|i| (ID, vec![i], closes)));
		assert_eq!(board.len(), MAX_OPEN_CHALLENGES);
	}
}
