//! [`ModeratorRegistry`]: what the moderator registry tells other pallets.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{deny_key, ContentId, EpochIndex, ModeratorRegistry};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::Perbill;

impl<T: Config> Pallet<T> {
	/// The record of `moderator` if it is live.
	fn live(moderator: &T::AccountId) -> Option<ModeratorInfo<T>> {
		Moderators::<T>::get(moderator).filter(|info| info.is_live())
	}
}

/// Catalog queries answer only for live moderators: a retired moderator's catalog is nobody's
/// obligation any more, so it reads as empty. Its deny list still answers until it is reaped.
impl<T: Config> ModeratorRegistry<T::AccountId> for Pallet<T> {
	fn exists(moderator: &T::AccountId) -> bool {
		Moderators::<T>::contains_key(moderator)
	}

	fn is_live(moderator: &T::AccountId) -> bool {
		Self::live(moderator).is_some()
	}

	fn catalog_bytes(moderator: &T::AccountId) -> u64 {
		Self::live(moderator).map_or(0, |info| info.proven_bytes)
	}

	fn catalog_len(moderator: &T::AccountId) -> u32 {
		Self::live(moderator).map_or(0, |info| info.catalog_items)
	}

	fn catalog_item_at(moderator: &T::AccountId, index: u32) -> Option<(ContentId, u64)> {
		Self::live(moderator)?;
		let content = CatalogIndex::<T>::get(moderator, index)?;
		let item = Catalog::<T>::get(moderator, content)?;
		Some((content, item.size))
	}

	fn content_size(moderator: &T::AccountId, content: &ContentId) -> Option<u64> {
		Self::live(moderator)?;
		Catalog::<T>::get(moderator, content).map(|item| item.size)
	}

	fn is_denied(moderator: &T::AccountId, content: &ContentId) -> bool {
		DenyList::<T>::contains_key(moderator, deny_key(content))
	}

	fn commission(moderator: &T::AccountId, epoch: EpochIndex) -> Option<Perbill> {
		Self::live(moderator)?.commission_at(epoch)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_live_moderator(moderator: &T::AccountId, catalog_bytes: u64) {
		use frame_support::{
			traits::{
				fungible::{Inspect, Mutate},
				Get,
			},
			Hashable,
		};
		use sp_runtime::traits::Saturating;

		if !Moderators::<T>::contains_key(moderator) {
			let funds = T::ModeratorDeposit::get()
				.saturating_mul(100u32.into())
				.saturating_add(T::Currency::minimum_balance());
			T::Currency::set_balance(moderator, funds);
			Self::do_register_moderator(
				moderator,
				b"benchmark".to_vec(),
				alloc::vec::Vec::new(),
				[0; 32],
				Perbill::zero(),
			)
			.expect("a funded new account can register");
		}
		let have = <Self as ModeratorRegistry<T::AccountId>>::catalog_bytes(moderator);
		if have < catalog_bytes {
			let size = catalog_bytes.saturating_sub(have);
			let content = (moderator.clone(), have).blake2_256();
			Self::do_list_content(
				moderator,
				content,
				size,
				alloc::vec::Vec::new(),
				alloc::vec::Vec::new(),
				None,
			)
			.expect("benchmark catalogs stay within MaxCatalogBytes");
			// Subscribers are held to proven items only.
			Self::vouch_for_item(moderator, &content);
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_retired_moderator(moderator: &T::AccountId) {
		if Self::live(moderator).is_some() {
			Self::do_retire_moderator(moderator, false).expect("a live moderator can retire");
		}
	}
}

/// Views for the `ModerationApi` runtime API: meant for off-chain queries, never for a
/// dispatchable (`catalog_view` reads a whole catalog, bounded by `MaxCatalogItems`).
impl<T: Config> Pallet<T> {
	/// The catalog of a live moderator in `catalogIndex` order; empty otherwise.
	pub fn catalog_view(
		moderator: &T::AccountId,
	) -> Vec<CatalogEntry<T::AccountId, BlockNumberFor<T>>> {
		let Some(info) = Self::live(moderator) else { return Vec::new() };
		(0..info.catalog_items)
			.filter_map(|index| CatalogIndex::<T>::get(moderator, index))
			.filter_map(|content| Self::entry(moderator, content))
			.collect()
	}

	/// One item of a live moderator's catalog.
	pub fn catalog_item_view(
		moderator: &T::AccountId,
		content: &ContentId,
	) -> Option<CatalogEntry<T::AccountId, BlockNumberFor<T>>> {
		Self::live(moderator)?;
		Self::entry(moderator, *content)
	}

	/// Whether `moderator` denies `content` (by its deny key).
	pub fn is_content_denied(moderator: &T::AccountId, content: &ContentId) -> bool {
		<Self as ModeratorRegistry<T::AccountId>>::is_denied(moderator, content)
	}

	/// A pending proposal of `content` to a live `moderator`.
	pub fn proposal_view(
		moderator: &T::AccountId,
		content: &ContentId,
	) -> Option<ProposalEntry<T::AccountId>> {
		Self::live(moderator)?;
		let proposal = Proposals::<T>::get(moderator, content)?;
		Some(ProposalEntry {
			content: *content,
			size: proposal.size,
			title: proposal.title.into_inner(),
			mime_type: proposal.mime_type.into_inner(),
			publisher: proposal.publisher,
		})
	}

	fn entry(
		moderator: &T::AccountId,
		content: ContentId,
	) -> Option<CatalogEntry<T::AccountId, BlockNumberFor<T>>> {
		let item = Catalog::<T>::get(moderator, content)?;
		Some(CatalogEntry {
			content,
			size: item.size,
			title: item.title.into_inner(),
			mime_type: item.mime_type.into_inner(),
			publisher: item.publisher,
			listed_at: item.listed_at,
			proven_at: item.proven_at,
		})
	}
}
