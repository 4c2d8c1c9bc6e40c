//! Proven catalog items ([`CatalogProofs`]) and the partitioned catalog index.
//!
//! A moderator can list any id with any size; until some node has proved it holds the item's
//! last chunk, the item is *unproven* and no storage-law obligation (see `docs/storage-law.md`,
//! "New content"). `catalogIndex` keeps the proven items of a catalog at positions
//! `0..provenItems` and the unproven ones after them, so that the storage law can sample
//! either kind uniformly. Listing appends at the end (unproven); a proof swaps the item with
//! the first unproven one; delisting fills the hole from the end of the item's part (and,
//! for a proven item, the end of the catalog fills the hole this leaves at the border).

use crate::*;
use bitcloud_primitives::{
	traits::{CatalogProofs, ListedItem},
	ContentId,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> CatalogProofs<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn proven_len(moderator: &T::AccountId) -> u32 {
		Moderators::<T>::get(moderator).filter(|info| info.is_live()).map_or(0, |i| i.proven_items)
	}

	fn listed_item_at(
		moderator: &T::AccountId,
		index: u32,
	) -> Option<ListedItem<BlockNumberFor<T>>> {
		Moderators::<T>::get(moderator).filter(|info| info.is_live())?;
		let content = CatalogIndex::<T>::get(moderator, index)?;
		let item = Catalog::<T>::get(moderator, content)?;
		Some(ListedItem {
			content,
			size: item.size,
			listed_at: item.listed_at,
			proven: item.proven_at.is_some(),
		})
	}

	fn record_proof(
		moderator: &T::AccountId,
		content: &ContentId,
		size: u64,
		issued_at: BlockNumberFor<T>,
	) -> bool {
		let Some(mut info) = Moderators::<T>::get(moderator).filter(|info| info.is_live()) else {
			return false;
		};
		let Some(item) = Catalog::<T>::get(moderator, content) else { return false };
		// Another size, or a listing made after the probe was issued (delisted and listed
		// again), is not what the node proved; a second proof changes nothing.
		if item.proven_at.is_some() || item.size != size || item.listed_at >= issued_at {
			return false;
		}
		Self::prove_item(moderator, &mut info, *content, item);
		Moderators::<T>::insert(moderator, info);
		true
	}
}

impl<T: Config> Pallet<T> {
	/// Mark the unproven `item` (`content` of `moderator`) proven now: move it to the first
	/// unproven position and count it. The caller stores `info`.
	pub(crate) fn prove_item(
		moderator: &T::AccountId,
		info: &mut ModeratorInfo<T>,
		content: ContentId,
		mut item: CatalogItem<T>,
	) {
		let border = info.proven_items;
		Self::move_position(moderator, border, item.index);
		CatalogIndex::<T>::insert(moderator, border, content);
		item.index = border;
		item.proven_at = Some(frame_system::Pallet::<T>::block_number());
		info.proven_items.saturating_inc();
		info.proven_bytes = info.proven_bytes.saturating_add(item.size);
		Catalog::<T>::insert(moderator, content, item);
	}

	/// Mark an item proven on someone's word rather than a node's proof: the genesis author's
	/// (its genesis nodes hold the genesis catalogs) or a benchmark setup's.
	pub(crate) fn vouch_for_item(moderator: &T::AccountId, content: &ContentId) {
		let (Some(mut info), Some(item)) =
			(Moderators::<T>::get(moderator), Catalog::<T>::get(moderator, content))
		else {
			return;
		};
		if item.proven_at.is_none() {
			Self::prove_item(moderator, &mut info, *content, item);
			Moderators::<T>::insert(moderator, info);
		}
	}

	/// Free the position of the removed `item` (already taken out of `Catalog`), keeping the
	/// index dense and partitioned, and take it out of the totals. The caller stores `info`.
	pub(crate) fn unindex_item(
		moderator: &T::AccountId,
		info: &mut ModeratorInfo<T>,
		item: &CatalogItem<T>,
	) {
		let last = info.catalog_items.saturating_sub(1);
		if item.proven_at.is_some() {
			// The last proven item fills the hole, the last item the one it leaves.
			let last_proven = info.proven_items.saturating_sub(1);
			Self::move_position(moderator, last_proven, item.index);
			Self::move_position(moderator, last, last_proven);
			info.proven_items = last_proven;
			info.proven_bytes = info.proven_bytes.saturating_sub(item.size);
		} else {
			Self::move_position(moderator, last, item.index);
		}
		CatalogIndex::<T>::remove(moderator, last);
		info.catalog_items = last;
		info.catalog_bytes = info.catalog_bytes.saturating_sub(item.size);
	}

	/// Move the item at position `from` to position `to` (nothing if they are equal).
	fn move_position(moderator: &T::AccountId, from: u32, to: u32) {
		if from == to {
			return;
		}
		if let Some(moved) = CatalogIndex::<T>::get(moderator, from) {
			CatalogIndex::<T>::insert(moderator, to, moved);
			Catalog::<T>::mutate(moderator, moved, |moved_item| {
				if let Some(moved_item) = moved_item {
					moved_item.index = to;
				}
			});
		}
	}
}
