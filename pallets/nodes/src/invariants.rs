//! Invariants of the node registry, checked by `try_state` and after every unit test.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use bitcloud_primitives::{EpochClock, ModeratorRegistry, Standing};
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, Get},
};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each node's and each unbonding account's `NodeBond` hold equals its recorded bond;
	/// - `nodeCount` counts the nodes and `nodeIndex` is a dense bijection onto them;
	/// - subscriptions have no duplicates, stay within `MaxSubscriptions`, agree with
	///   `subscribers` and `subscriberCount`, and point at moderators that still exist (live,
	///   or retired and waiting for their subscribers to leave); a scheduled end is at most
	///   `UnsubscribeDelay` epochs ahead;
	/// - a node's stored standing is never `Banned`; banned accounts have no node and no bond;
	/// - capacity shortfalls are recorded only for registered nodes.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut nodes = 0u32;
		let mut subscriber_counts = BTreeMap::<T::AccountId, u32>::new();
		let latest_end = T::Epochs::current_epoch().saturating_add(T::UnsubscribeDelay::get());
		for (node, info) in Nodes::<T>::iter() {
			nodes.saturating_inc();
			let unbonding = Unbonding::<T>::get(&node).map(|u| u.amount).unwrap_or_default();
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::NodeBond.into(), &node)
					== info.bond.saturating_add(unbonding),
				"node bond differs from its hold"
			);
			ensure!(
				NodeIndex::<T>::get(info.index).as_ref() == Some(&node),
				"node not at its recorded position"
			);
			ensure!(info.standing != Standing::Banned, "a registered node is stored as banned");
			ensure!(!Banned::<T>::contains_key(&node), "a banned account has a node");
			ensure!(
				info.subscriptions.len() as u32 <= T::MaxSubscriptions::get(),
				"subscriptions above MaxSubscriptions"
			);
			for (i, subscription) in info.subscriptions.iter().enumerate() {
				let moderator = &subscription.moderator;
				ensure!(
					!info.subscriptions[..i].iter().any(|s| s.moderator == *moderator),
					"duplicate subscription"
				);
				ensure!(
					subscription.ends.is_none_or(|ends| ends <= latest_end),
					"subscription ends later than UnsubscribeDelay allows"
				);
				ensure!(
					Subscribers::<T>::contains_key(moderator, &node),
					"subscription missing from subscribers"
				);
				ensure!(
					T::Moderators::exists(moderator),
					"subscription to a moderator that no longer exists"
				);
				subscriber_counts.entry(moderator.clone()).or_default().saturating_inc();
			}
		}
		ensure!(nodes == NodeCount::<T>::get(), "nodeCount differs from the nodes");

		let mut positions = 0u32;
		for (index, node) in NodeIndex::<T>::iter() {
			positions.saturating_inc();
			ensure!(index < nodes, "node position out of range");
			ensure!(
				Nodes::<T>::get(&node).map(|info| info.index) == Some(index),
				"position of a node that is not there"
			);
		}
		ensure!(positions == nodes, "node positions differ from the nodes");

		let mut subscriptions = 0u32;
		for (moderator, node, ()) in Subscribers::<T>::iter() {
			subscriptions.saturating_inc();
			ensure!(
				Nodes::<T>::get(&node).is_some_and(|info| info
					.subscriptions
					.iter()
					.any(|s| s.moderator == moderator)),
				"subscriber without the subscription"
			);
		}
		ensure!(
			subscriptions == subscriber_counts.values().fold(0u32, |a, b| a.saturating_add(*b)),
			"subscribers differ from the subscriptions"
		);
		for (moderator, count) in SubscriberCount::<T>::iter() {
			ensure!(count > 0, "zero subscriber count stored");
			ensure!(
				subscriber_counts.get(&moderator) == Some(&count),
				"subscriberCount differs from the subscribers"
			);
		}
		for (moderator, count) in subscriber_counts {
			ensure!(
				SubscriberCount::<T>::get(&moderator) == count,
				"subscriberCount differs from the subscribers"
			);
		}

		for (account, unbonding) in Unbonding::<T>::iter() {
			ensure!(!Banned::<T>::contains_key(&account), "a banned account has a bond");
			if !Nodes::<T>::contains_key(&account) {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::NodeBond.into(), &account)
						== unbonding.amount,
					"unbonding amount differs from its hold"
				);
			}
		}
		for (node, _) in OverCapacitySince::<T>::iter() {
			ensure!(Nodes::<T>::contains_key(&node), "shortfall of an unregistered node");
		}
		Ok(())
	}
}
