//! The logic behind each call: checks first, then writes, then the event.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{deny_key, ContentId, DenyKey, SubscriberCount};
use frame_support::{
	dispatch::DispatchResultWithPostInfo,
	ensure,
	pallet_prelude::DispatchResult,
	traits::{
		fungible::MutateHold,
		tokens::Precision::{BestEffort, Exact},
		Get,
	},
};
use sp_runtime::{traits::Saturating, Perbill};

/// How a proposal was closed, which decides the event [`Pallet::close_proposal`] emits.
enum Closing {
	/// The moderator listed the content.
	Accepted,
	/// The moderator turned it down.
	Rejected,
	/// The publisher took it back.
	Withdrawn,
}

impl<T: Config> Pallet<T> {
	/// Register `who` as a live moderator, holding `ModeratorDeposit`.
	pub(crate) fn do_register_moderator(
		who: &T::AccountId,
		name: Vec<u8>,
		policy_uri: Vec<u8>,
		policy_hash: [u8; 32],
		commission: Perbill,
	) -> DispatchResult {
		ensure!(!Moderators::<T>::contains_key(who), Error::<T>::AlreadyRegistered);
		let name = Self::bound_name(name)?;
		let policy = Policy { uri: Self::bound_uri(policy_uri)?, hash: policy_hash };
		let commission_rates = Self::initial_rates(commission)?;

		let deposit = T::ModeratorDeposit::get();
		T::Currency::hold(&HoldReason::ModeratorDeposit.into(), who, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Moderators::<T>::insert(
			who,
			ModeratorInfo {
				name,
				policy,
				commission_rates,
				deposit,
				status: ModeratorStatus::Live,
				registered_at: frame_system::Pallet::<T>::block_number(),
				catalog_items: 0,
				catalog_bytes: 0,
				proven_items: 0,
				proven_bytes: 0,
				deny_entries: 0,
				pending_proposals: 0,
			},
		);
		Self::deposit_event(Event::ModeratorRegistered {
			moderator: who.clone(),
			deposit,
			commission,
		});
		Ok(())
	}

	/// Replace the name and policy of the live moderator `who`, and schedule its commission
	/// (`schedule_rate`).
	pub(crate) fn do_update_moderator(
		who: &T::AccountId,
		name: Vec<u8>,
		policy_uri: Vec<u8>,
		policy_hash: [u8; 32],
		commission: Perbill,
	) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		info.name = Self::bound_name(name)?;
		info.policy = Policy { uri: Self::bound_uri(policy_uri)?, hash: policy_hash };
		let scheduled = Self::schedule_rate(&mut info.commission_rates, commission)?;

		Moderators::<T>::insert(who, info);
		if let Some(from_epoch) = scheduled {
			Self::deposit_event(Event::CommissionChangeScheduled {
				moderator: who.clone(),
				rate: commission,
				from_epoch,
			});
		}
		Self::deposit_event(Event::ModeratorUpdated { moderator: who.clone() });
		Ok(())
	}

	/// Retire the live moderator `who`.
	pub(crate) fn do_retire_moderator(who: &T::AccountId, forced: bool) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		let now = frame_system::Pallet::<T>::block_number();
		let deposit_unlocks_at = now.saturating_add(T::RetirementDelay::get());
		info.status = ModeratorStatus::Retired { since: now, deposit_unlocks_at };

		Moderators::<T>::insert(who, info);
		Self::deposit_event(Event::ModeratorRetired {
			moderator: who.clone(),
			deposit_unlocks_at,
			forced,
		});
		Ok(())
	}

	/// Remove the retired `moderator` with everything it owns and release all deposits.
	pub(crate) fn do_reap_moderator(moderator: &T::AccountId) -> DispatchResultWithPostInfo {
		let info = Moderators::<T>::get(moderator).ok_or(Error::<T>::UnknownModerator)?;
		let ModeratorStatus::Retired { deposit_unlocks_at, .. } = info.status else {
			return Err(Error::<T>::ModeratorLive.into());
		};
		ensure!(
			frame_system::Pallet::<T>::block_number() >= deposit_unlocks_at,
			Error::<T>::RetirementDelayNotElapsed
		);
		ensure!(T::Subscribers::subscriber_count(moderator) == 0, Error::<T>::SubscribersRemain);

		for (content, proposal) in Proposals::<T>::drain_prefix(moderator) {
			T::Currency::release(
				&HoldReason::ProposalDeposit.into(),
				&proposal.publisher,
				proposal.deposit,
				BestEffort,
			)?;
			Self::deposit_event(Event::ProposalRejected {
				moderator: moderator.clone(),
				content,
				publisher: proposal.publisher,
			});
		}
		let _ = Catalog::<T>::clear_prefix(moderator, T::MaxCatalogItems::get(), None);
		let _ = CatalogIndex::<T>::clear_prefix(moderator, T::MaxCatalogItems::get(), None);
		let _ = DenyList::<T>::clear_prefix(moderator, T::MaxDenyListEntries::get(), None);
		let deposit = T::Currency::release(
			&HoldReason::ModeratorDeposit.into(),
			moderator,
			info.deposit,
			BestEffort,
		)?;
		Moderators::<T>::remove(moderator);

		Self::deposit_event(Event::ModeratorReaped { moderator: moderator.clone(), deposit });
		Ok(Some(T::WeightInfo::reap_moderator(
			info.catalog_items,
			info.deny_entries,
			info.pending_proposals,
		))
		.into())
	}

	/// Add `content` to the catalog of the live moderator `who`.
	pub(crate) fn do_list_content(
		who: &T::AccountId,
		content: ContentId,
		size: u64,
		title: Vec<u8>,
		mime_type: Vec<u8>,
		publisher: Option<T::AccountId>,
	) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		ensure!(size > 0, Error::<T>::EmptyContent);
		let title = Self::bound_title(title)?;
		let mime_type = Self::bound_mime_type(mime_type)?;

		Self::add_to_catalog(who, &mut info, content, size, title, mime_type, publisher)?;
		Moderators::<T>::insert(who, info);
		Ok(())
	}

	/// Remove `content` from the catalog of the live moderator `who`.
	pub(crate) fn do_delist_content(who: &T::AccountId, content: ContentId) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		let item = Catalog::<T>::take(who, content).ok_or(Error::<T>::NotListed)?;

		Self::unindex_item(who, &mut info, &item);

		Moderators::<T>::insert(who, info);
		Self::deposit_event(Event::ContentDelisted {
			moderator: who.clone(),
			content,
			size: item.size,
		});
		Ok(())
	}

	/// Record a proposal of `content` by `publisher` to `moderator`, holding `ProposalDeposit`.
	pub(crate) fn do_propose_content(
		publisher: &T::AccountId,
		moderator: &T::AccountId,
		content: ContentId,
		size: u64,
		title: Vec<u8>,
		mime_type: Vec<u8>,
	) -> DispatchResult {
		let mut info = Self::live_moderator(moderator)?;
		ensure!(size > 0, Error::<T>::EmptyContent);
		ensure!(size <= T::MaxCatalogBytes::get(), Error::<T>::CatalogTooLarge);
		let title = Self::bound_title(title)?;
		let mime_type = Self::bound_mime_type(mime_type)?;
		ensure!(!Catalog::<T>::contains_key(moderator, content), Error::<T>::AlreadyListed);
		ensure!(
			!DenyList::<T>::contains_key(moderator, deny_key(&content)),
			Error::<T>::ContentDenied
		);
		ensure!(!Proposals::<T>::contains_key(moderator, content), Error::<T>::AlreadyProposed);
		ensure!(
			info.pending_proposals < T::MaxPendingProposals::get(),
			Error::<T>::TooManyProposals
		);

		let deposit = T::ProposalDeposit::get();
		T::Currency::hold(&HoldReason::ProposalDeposit.into(), publisher, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Proposals::<T>::insert(
			moderator,
			content,
			Proposal { publisher: publisher.clone(), size, title, mime_type, deposit },
		);
		info.pending_proposals.saturating_inc();
		Moderators::<T>::insert(moderator, info);
		Self::deposit_event(Event::ContentProposed {
			moderator: moderator.clone(),
			content,
			publisher: publisher.clone(),
			deposit,
		});
		Ok(())
	}

	/// List the content of a pending proposal to the live moderator `who`.
	pub(crate) fn do_accept_proposal(who: &T::AccountId, content: ContentId) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		let Proposal { publisher, size, title, mime_type, deposit } =
			Proposals::<T>::take(who, content).ok_or(Error::<T>::ProposalNotFound)?;

		let listed_by = Some(publisher.clone());
		Self::add_to_catalog(who, &mut info, content, size, title, mime_type, listed_by)?;
		Self::close_proposal(who, info, content, publisher, deposit, Closing::Accepted)
	}

	/// Drop a pending proposal to the moderator `who` (live or retired).
	pub(crate) fn do_reject_proposal(who: &T::AccountId, content: ContentId) -> DispatchResult {
		let info = Moderators::<T>::get(who).ok_or(Error::<T>::UnknownModerator)?;
		let proposal = Proposals::<T>::take(who, content).ok_or(Error::<T>::ProposalNotFound)?;

		Self::close_proposal(
			who,
			info,
			content,
			proposal.publisher,
			proposal.deposit,
			Closing::Rejected,
		)
	}

	/// Drop `publisher`'s own pending proposal to `moderator`.
	pub(crate) fn do_withdraw_proposal(
		publisher: &T::AccountId,
		moderator: &T::AccountId,
		content: ContentId,
	) -> DispatchResult {
		let proposal =
			Proposals::<T>::get(moderator, content).ok_or(Error::<T>::ProposalNotFound)?;
		ensure!(&proposal.publisher == publisher, Error::<T>::NotProposer);
		// Never fails: reaping a moderator drops its proposals first.
		let info = Moderators::<T>::get(moderator).ok_or(Error::<T>::UnknownModerator)?;

		Proposals::<T>::remove(moderator, content);
		Self::close_proposal(
			moderator,
			info,
			content,
			proposal.publisher,
			proposal.deposit,
			Closing::Withdrawn,
		)
	}

	/// Close a proposal of `content` to `moderator` that the caller took out of `Proposals`:
	/// count it off the moderator's pending proposals (`info`, stored here), release the
	/// publisher's deposit and emit the event saying how it closed.
	fn close_proposal(
		moderator: &T::AccountId,
		mut info: ModeratorInfo<T>,
		content: ContentId,
		publisher: T::AccountId,
		deposit: BalanceOf<T>,
		closing: Closing,
	) -> DispatchResult {
		info.pending_proposals.saturating_dec();
		Moderators::<T>::insert(moderator, info);
		T::Currency::release(&HoldReason::ProposalDeposit.into(), &publisher, deposit, Exact)?;
		let moderator = moderator.clone();
		Self::deposit_event(match closing {
			Closing::Accepted => Event::ProposalAccepted { moderator, content, publisher },
			Closing::Rejected => Event::ProposalRejected { moderator, content, publisher },
			Closing::Withdrawn => Event::ProposalWithdrawn { moderator, content, publisher },
		});
		Ok(())
	}

	/// Add `key` to the deny list of the live moderator `who`.
	pub(crate) fn do_deny_content(who: &T::AccountId, key: DenyKey) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		ensure!(!DenyList::<T>::contains_key(who, key), Error::<T>::AlreadyDenied);
		ensure!(info.deny_entries < T::MaxDenyListEntries::get(), Error::<T>::DenyListFull);

		DenyList::<T>::insert(who, key, ());
		info.deny_entries.saturating_inc();
		Moderators::<T>::insert(who, info);
		Self::deposit_event(Event::ContentDenied { moderator: who.clone(), deny_key: key });
		Ok(())
	}

	/// Remove `key` from the deny list of the live moderator `who`.
	pub(crate) fn do_allow_content(who: &T::AccountId, key: DenyKey) -> DispatchResult {
		let mut info = Self::live_moderator(who)?;
		ensure!(DenyList::<T>::contains_key(who, key), Error::<T>::NotDenied);

		DenyList::<T>::remove(who, key);
		info.deny_entries.saturating_dec();
		Moderators::<T>::insert(who, info);
		Self::deposit_event(Event::ContentAllowed { moderator: who.clone(), deny_key: key });
		Ok(())
	}

	/// Check the catalog rules and write a new item; the caller stores `info`.
	fn add_to_catalog(
		moderator: &T::AccountId,
		info: &mut ModeratorInfo<T>,
		content: ContentId,
		size: u64,
		title: TitleOf<T>,
		mime_type: MimeTypeOf<T>,
		publisher: Option<T::AccountId>,
	) -> DispatchResult {
		ensure!(!Catalog::<T>::contains_key(moderator, content), Error::<T>::AlreadyListed);
		ensure!(
			!DenyList::<T>::contains_key(moderator, deny_key(&content)),
			Error::<T>::ContentDenied
		);
		ensure!(info.catalog_items < T::MaxCatalogItems::get(), Error::<T>::CatalogFull);
		let catalog_bytes = info
			.catalog_bytes
			.checked_add(size)
			.filter(|total| *total <= T::MaxCatalogBytes::get())
			.ok_or(Error::<T>::CatalogTooLarge)?;

		let index = info.catalog_items;
		CatalogIndex::<T>::insert(moderator, index, content);
		Catalog::<T>::insert(
			moderator,
			content,
			CatalogItem {
				size,
				title,
				mime_type,
				publisher: publisher.clone(),
				listed_at: frame_system::Pallet::<T>::block_number(),
				proven_at: None,
				index,
			},
		);
		info.catalog_items.saturating_inc();
		info.catalog_bytes = catalog_bytes;
		Self::deposit_event(Event::ContentListed {
			moderator: moderator.clone(),
			content,
			size,
			publisher,
		});
		Ok(())
	}

	/// The record of `who` if it is a live moderator.
	fn live_moderator(who: &T::AccountId) -> Result<ModeratorInfo<T>, Error<T>> {
		let info = Moderators::<T>::get(who).ok_or(Error::<T>::UnknownModerator)?;
		ensure!(info.is_live(), Error::<T>::ModeratorRetired);
		Ok(info)
	}

	fn bound_name(name: Vec<u8>) -> Result<NameOf<T>, Error<T>> {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		name.try_into().map_err(|_| Error::<T>::NameTooLong)
	}

	fn bound_uri(uri: Vec<u8>) -> Result<PolicyUriOf<T>, Error<T>> {
		uri.try_into().map_err(|_| Error::<T>::PolicyUriTooLong)
	}

	fn bound_title(title: Vec<u8>) -> Result<TitleOf<T>, Error<T>> {
		title.try_into().map_err(|_| Error::<T>::TitleTooLong)
	}

	fn bound_mime_type(mime_type: Vec<u8>) -> Result<MimeTypeOf<T>, Error<T>> {
		mime_type.try_into().map_err(|_| Error::<T>::MimeTypeTooLong)
	}
}
