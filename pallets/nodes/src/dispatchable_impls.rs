//! The logic behind each call and each penalty: checks first, then writes, then the event.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{CapacityStatus, EpochClock, EpochIndex, ModeratorRegistry, Standing};
use frame_support::{
	ensure,
	pallet_prelude::{DispatchError, DispatchResult},
	traits::{
		fungible::{BalancedHold, MutateHold},
		tokens::{imbalance::Imbalance, Precision::BestEffort},
		Get, OnUnbalanced,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// Register `who`'s node, holding `bond`.
	pub(crate) fn do_register_node(
		who: &T::AccountId,
		bond: BalanceOf<T>,
		capacity: u64,
		endpoint: Vec<u8>,
		onion_key: OnionKey,
		unmoderated: bool,
	) -> DispatchResult {
		ensure!(!Banned::<T>::contains_key(who), Error::<T>::NodeBanned);
		ensure!(!Nodes::<T>::contains_key(who), Error::<T>::AlreadyRegistered);
		ensure!(!Unbonding::<T>::contains_key(who), Error::<T>::StillUnbonding);
		ensure!(bond >= T::MinBond::get(), Error::<T>::BondTooLow);
		ensure!(capacity > 0, Error::<T>::ZeroCapacity);
		let endpoint = Self::bound_endpoint(endpoint)?;
		ensure!(onion_key != [0; 32], Error::<T>::InvalidOnionKey);

		T::Currency::hold(&HoldReason::NodeBond.into(), who, bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		let index = NodeCount::<T>::get();
		NodeIndex::<T>::insert(index, who);
		NodeCount::<T>::put(index.saturating_add(1));
		Nodes::<T>::insert(
			who,
			NodeInfo {
				bond,
				capacity,
				endpoint,
				onion_key,
				unmoderated,
				standing: Standing::Active,
				subscriptions: Default::default(),
				registered_at: frame_system::Pallet::<T>::block_number(),
				index,
			},
		);
		Self::deposit_event(Event::NodeRegistered {
			node: who.clone(),
			bond,
			capacity,
			unmoderated,
		});
		Ok(())
	}

	/// Replace `who`'s capacity, endpoint, onion key and unmoderated flag.
	pub(crate) fn do_update_node(
		who: &T::AccountId,
		capacity: u64,
		endpoint: Vec<u8>,
		onion_key: OnionKey,
		unmoderated: bool,
	) -> DispatchResult {
		let mut info = Self::registered(who)?;
		ensure!(capacity > 0, Error::<T>::ZeroCapacity);
		let endpoint = Self::bound_endpoint(endpoint)?;
		ensure!(onion_key != [0; 32], Error::<T>::InvalidOnionKey);
		// Capacity may not drop below the requirement; a node already short of capacity may
		// keep (or raise) what it has.
		let required = Self::required_bytes(&info.subscriptions, T::Epochs::current_epoch());
		ensure!(capacity >= required || capacity >= info.capacity, Error::<T>::CapacityExceeded);

		info.capacity = capacity;
		info.endpoint = endpoint;
		info.onion_key = onion_key;
		info.unmoderated = unmoderated;
		Nodes::<T>::insert(who, &info);
		Self::deposit_event(Event::NodeUpdated { node: who.clone(), capacity, unmoderated });
		Self::refresh_capacity(who, &info);
		Ok(())
	}

	/// Add `amount` to `who`'s bond.
	pub(crate) fn do_bond_extra(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut info = Self::registered(who)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		T::Currency::hold(&HoldReason::NodeBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		info.bond = info.bond.saturating_add(amount);
		let bond = info.bond;
		Nodes::<T>::insert(who, info);
		Self::deposit_event(Event::BondIncreased { node: who.clone(), amount, bond });
		Ok(())
	}

	/// Subscribe `who` to the live `moderator` if its capacity covers the new catalog too, or
	/// cancel its unsubscription from it. Ended subscriptions are removed first.
	pub(crate) fn do_subscribe(who: &T::AccountId, moderator: &T::AccountId) -> DispatchResult {
		let mut info = Self::registered(who)?;
		ensure!(T::Moderators::exists(moderator), Error::<T>::UnknownModerator);
		ensure!(T::Moderators::is_live(moderator), Error::<T>::ModeratorRetired);
		let epoch = T::Epochs::current_epoch();
		let ended = Self::take_ended(&mut info, epoch);
		if let Some(subscription) =
			info.subscriptions.iter_mut().find(|s| s.moderator == *moderator)
		{
			// Still in effect (ended ones are gone): cancel its end, if it has one.
			ensure!(subscription.ends.is_some(), Error::<T>::AlreadySubscribed);
			subscription.ends = None;
			Self::remove_ended(who, ended);
			Nodes::<T>::insert(who, &info);
			Self::deposit_event(Event::UnsubscriptionCancelled {
				node: who.clone(),
				moderator: moderator.clone(),
			});
			return Ok(());
		}
		ensure!(
			(info.subscriptions.len() as u32) < T::MaxSubscriptions::get(),
			Error::<T>::TooManySubscriptions
		);
		let required = Self::required_bytes(&info.subscriptions, epoch)
			.saturating_add(T::Moderators::catalog_bytes(moderator));
		ensure!(required <= info.capacity, Error::<T>::CapacityExceeded);

		info.subscriptions
			.try_push(Subscription { moderator: moderator.clone(), ends: None })
			.map_err(|_| Error::<T>::TooManySubscriptions)?;
		Self::remove_ended(who, ended);
		Subscribers::<T>::insert(moderator, who, ());
		SubscriberCount::<T>::mutate(moderator, |count| count.saturating_inc());
		Nodes::<T>::insert(who, &info);
		Self::deposit_event(Event::Subscribed { node: who.clone(), moderator: moderator.clone() });
		Self::refresh_capacity(who, &info);
		Ok(())
	}

	/// End `node`'s subscription to `moderator`: after `UnsubscribeDelay` epochs if the
	/// moderator is live, at once otherwise.
	pub(crate) fn do_unsubscribe(node: &T::AccountId, moderator: &T::AccountId) -> DispatchResult {
		let mut info = Self::registered(node)?;
		let epoch = T::Epochs::current_epoch();
		let position = info
			.subscriptions
			.iter()
			.position(|s| s.moderator == *moderator && s.in_effect(epoch))
			.ok_or(Error::<T>::NotSubscribed)?;
		ensure!(
			info.subscriptions.get(position).is_some_and(|s| s.ends.is_none()),
			Error::<T>::AlreadyUnsubscribing
		);

		if T::Moderators::is_live(moderator) {
			// The node stays held to the catalog through the draw of the epoch it ends in.
			let ends = epoch.saturating_add(T::UnsubscribeDelay::get());
			if let Some(subscription) = info.subscriptions.get_mut(position) {
				subscription.ends = Some(ends);
			}
			Nodes::<T>::insert(node, &info);
			Self::deposit_event(Event::UnsubscriptionScheduled {
				node: node.clone(),
				moderator: moderator.clone(),
				ends,
			});
		} else {
			// A catalog that is not live is nobody's obligation: nothing to dodge.
			let event = Event::Unsubscribed { node: node.clone(), moderator: moderator.clone() };
			Self::drop_subscription(node, moderator, info, position, event);
		}
		Ok(())
	}

	/// Remove `node`'s subscription to `moderator` if the moderator is not live or the
	/// subscription has ended (anyone may).
	pub(crate) fn do_prune_subscription(
		node: &T::AccountId,
		moderator: &T::AccountId,
	) -> DispatchResult {
		let info = Self::registered(node)?;
		let epoch = T::Epochs::current_epoch();
		let position = info
			.subscriptions
			.iter()
			.position(|s| s.moderator == *moderator)
			.ok_or(Error::<T>::NotSubscribed)?;
		let ended = info.subscriptions.get(position).is_some_and(|s| s.ended(epoch));
		ensure!(ended || !T::Moderators::is_live(moderator), Error::<T>::ModeratorLive);

		let event = Event::SubscriptionPruned { node: node.clone(), moderator: moderator.clone() };
		Self::drop_subscription(node, moderator, info, position, event);
		Ok(())
	}

	/// Remove `node`'s subscription to `moderator` (at `position` in `info`) at once: from
	/// both indexes, then store `info`, emit `event` and check the capacity it frees.
	fn drop_subscription(
		node: &T::AccountId,
		moderator: &T::AccountId,
		mut info: NodeInfo<T>,
		position: usize,
		event: Event<T>,
	) {
		info.subscriptions.remove(position);
		Self::remove_subscriber(moderator, node);
		Nodes::<T>::insert(node, &info);
		Self::deposit_event(event);
		Self::refresh_capacity(node, &info);
	}

	/// Deregister `who`'s node and start unbonding its bond, once no live subscription holds
	/// it.
	pub(crate) fn do_deregister_node(who: &T::AccountId) -> DispatchResult {
		let info = Self::registered(who)?;
		let epoch = T::Epochs::current_epoch();
		ensure!(
			info.subscriptions
				.iter()
				.all(|s| s.ended(epoch) || !T::Moderators::is_live(&s.moderator)),
			Error::<T>::SubscriptionsNotEnded
		);
		Self::remove_node(who, &info);
		let unlocks_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		Unbonding::<T>::insert(who, UnbondingInfo { amount: info.bond, unlocks_at });
		Self::deposit_event(Event::NodeDeregistered {
			node: who.clone(),
			bond: info.bond,
			unlocks_at,
		});
		Ok(())
	}

	/// Release `who`'s unbonded bond.
	pub(crate) fn do_withdraw_unbonded(who: &T::AccountId) -> DispatchResult {
		let unbonding = Unbonding::<T>::get(who).ok_or(Error::<T>::NotUnbonding)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() >= unbonding.unlocks_at,
			Error::<T>::UnbondingNotElapsed
		);
		let amount =
			T::Currency::release(&HoldReason::NodeBond.into(), who, unbonding.amount, BestEffort)?;
		Unbonding::<T>::remove(who);
		Self::deposit_event(Event::BondWithdrawn { node: who.clone(), amount });
		Ok(())
	}

	/// Compare `node`'s capacity with its subscribed catalogs and record the result.
	pub(crate) fn do_check_capacity(
		node: &T::AccountId,
	) -> Result<CapacityStatus<BlockNumberFor<T>>, DispatchError> {
		let info = Self::registered(node)?;
		Ok(Self::refresh_capacity(node, &info))
	}

	/// Set `node`'s standing; `Banned` bans it.
	pub(crate) fn do_set_standing(node: &T::AccountId, standing: Standing) -> DispatchResult {
		if standing == Standing::Banned {
			return Self::do_ban(node);
		}
		let mut info = Self::registered(node)?;
		let from = info.standing;
		if from != standing {
			info.standing = standing;
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::StandingChanged { node: node.clone(), from, to: standing });
		}
		Ok(())
	}

	/// Slash `fraction` of `node`'s bond, or of its unbonding funds.
	pub(crate) fn do_slash(
		node: &T::AccountId,
		fraction: Perbill,
	) -> Result<BalanceOf<T>, DispatchError> {
		ensure!(!Banned::<T>::contains_key(node), Error::<T>::NodeBanned);
		let amount = if let Some(mut info) = Nodes::<T>::get(node) {
			let amount = Self::slash_held(node, fraction.mul_floor(info.bond));
			info.bond = info.bond.saturating_sub(amount);
			Nodes::<T>::insert(node, info);
			amount
		} else if let Some(mut unbonding) = Unbonding::<T>::get(node) {
			let amount = Self::slash_held(node, fraction.mul_floor(unbonding.amount));
			unbonding.amount = unbonding.amount.saturating_sub(amount);
			Unbonding::<T>::insert(node, unbonding);
			amount
		} else {
			return Err(Error::<T>::NotRegistered.into());
		};
		Self::deposit_event(Event::Slashed { node: node.clone(), amount });
		Ok(amount)
	}

	/// Ban `node`: slash its whole bond (or unbonding funds), end its registration and refuse
	/// the account from now on.
	pub(crate) fn do_ban(node: &T::AccountId) -> DispatchResult {
		ensure!(!Banned::<T>::contains_key(node), Error::<T>::NodeBanned);
		let slashed = if let Some(info) = Nodes::<T>::get(node) {
			Self::remove_node(node, &info);
			Self::slash_held(node, info.bond)
		} else if let Some(unbonding) = Unbonding::<T>::take(node) {
			Self::slash_held(node, unbonding.amount)
		} else {
			return Err(Error::<T>::NotRegistered.into());
		};
		Banned::<T>::insert(node, frame_system::Pallet::<T>::block_number());
		Self::deposit_event(Event::NodeBanned { node: node.clone(), slashed });
		Ok(())
	}

	/// Lift `node`'s ban.
	pub(crate) fn do_unban(node: &T::AccountId) -> DispatchResult {
		Banned::<T>::take(node).ok_or(Error::<T>::NotBanned)?;
		Self::deposit_event(Event::NodeUnbanned { node: node.clone() });
		Ok(())
	}

	/// Bytes the live catalogs (proven items) of the subscriptions in effect in `epoch` add up
	/// to.
	pub(crate) fn required_bytes(
		subscriptions: &[Subscription<T::AccountId>],
		epoch: EpochIndex,
	) -> u64 {
		subscriptions
			.iter()
			.filter(|s| s.in_effect(epoch))
			.fold(0u64, |total, s| total.saturating_add(T::Moderators::catalog_bytes(&s.moderator)))
	}

	/// Take the subscriptions of `info` that have ended by `epoch` out of it; returns their
	/// moderators (for [`Self::remove_ended`]).
	fn take_ended(info: &mut NodeInfo<T>, epoch: EpochIndex) -> Vec<T::AccountId> {
		let mut ended = Vec::new();
		info.subscriptions.retain(|s| {
			let keep = !s.ended(epoch);
			if !keep {
				ended.push(s.moderator.clone());
			}
			keep
		});
		ended
	}

	/// Remove `node` from the subscribers of the `ended` moderators, with an event each.
	fn remove_ended(node: &T::AccountId, ended: Vec<T::AccountId>) {
		for moderator in ended {
			Self::remove_subscriber(&moderator, node);
			Self::deposit_event(Event::Unsubscribed { node: node.clone(), moderator });
		}
	}

	/// The capacity status of `node` now, without recording anything.
	pub(crate) fn capacity_status(
		node: &T::AccountId,
		info: &NodeInfo<T>,
	) -> (u64, CapacityStatus<BlockNumberFor<T>>) {
		let required = Self::required_bytes(&info.subscriptions, T::Epochs::current_epoch());
		if required <= info.capacity {
			return (required, CapacityStatus::Covered);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let since = OverCapacitySince::<T>::get(node).unwrap_or(now);
		let ends = since.saturating_add(T::CapacityGracePeriod::get());
		(
			required,
			if now >= ends { CapacityStatus::Failing } else { CapacityStatus::Grace { ends } },
		)
	}

	/// Work out `node`'s capacity status and record when a shortfall starts or ends.
	fn refresh_capacity(
		node: &T::AccountId,
		info: &NodeInfo<T>,
	) -> CapacityStatus<BlockNumberFor<T>> {
		let (required, status) = Self::capacity_status(node, info);
		match status {
			CapacityStatus::Covered => {
				if OverCapacitySince::<T>::take(node).is_some() {
					Self::deposit_event(Event::CapacityRestored { node: node.clone() });
				}
			},
			CapacityStatus::Grace { ends: grace_ends } => {
				if !OverCapacitySince::<T>::contains_key(node) {
					OverCapacitySince::<T>::insert(node, frame_system::Pallet::<T>::block_number());
					Self::deposit_event(Event::CapacityShortfall {
						node: node.clone(),
						required,
						capacity: info.capacity,
						grace_ends,
					});
				}
			},
			CapacityStatus::Failing => {},
		}
		status
	}

	/// Remove a registered node's record, position and subscriptions (not its bond).
	fn remove_node(node: &T::AccountId, info: &NodeInfo<T>) {
		for subscription in info.subscriptions.iter() {
			Self::remove_subscriber(&subscription.moderator, node);
		}
		// Swap-remove: the last position fills the freed one.
		let last = NodeCount::<T>::get().saturating_sub(1);
		if info.index != last {
			if let Some(moved) = NodeIndex::<T>::get(last) {
				NodeIndex::<T>::insert(info.index, &moved);
				Nodes::<T>::mutate(&moved, |moved_info| {
					if let Some(moved_info) = moved_info {
						moved_info.index = info.index;
					}
				});
			}
		}
		NodeIndex::<T>::remove(last);
		NodeCount::<T>::put(last);
		OverCapacitySince::<T>::remove(node);
		Nodes::<T>::remove(node);
	}

	fn remove_subscriber(moderator: &T::AccountId, node: &T::AccountId) {
		Subscribers::<T>::remove(moderator, node);
		let remaining = SubscriberCount::<T>::get(moderator).saturating_sub(1);
		if remaining == 0 {
			SubscriberCount::<T>::remove(moderator);
		} else {
			SubscriberCount::<T>::insert(moderator, remaining);
		}
	}

	/// Slash up to `amount` of `node`'s held bond to `T::Slash`; returns what was slashed.
	fn slash_held(node: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		let (credit, _missing) = T::Currency::slash(&HoldReason::NodeBond.into(), node, amount);
		let slashed = credit.peek();
		T::Slash::on_unbalanced(credit);
		slashed
	}

	/// The record of `who` if it is a registered node.
	pub(crate) fn registered(who: &T::AccountId) -> Result<NodeInfo<T>, Error<T>> {
		Nodes::<T>::get(who).ok_or_else(|| {
			if Banned::<T>::contains_key(who) {
				Error::<T>::NodeBanned
			} else {
				Error::<T>::NotRegistered
			}
		})
	}

	fn bound_endpoint(endpoint: Vec<u8>) -> Result<EndpointOf<T>, Error<T>> {
		ensure!(!endpoint.is_empty(), Error::<T>::EmptyEndpoint);
		endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)
	}
}
