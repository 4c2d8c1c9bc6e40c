//! What the node registry tells and lets other pallets do: [`NodeRegistry`],
//! [`NodePenalties`] and [`SubscriberCount`], plus the queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{CapacityStatus, EpochClock, NodePenalties, NodeRegistry, Standing};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{DispatchError, DispatchResult, Perbill};

impl<T: Config> NodeRegistry<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn is_registered(node: &T::AccountId) -> bool {
		Nodes::<T>::contains_key(node)
	}

	fn standing(node: &T::AccountId) -> Option<Standing> {
		Self::standing_of(node)
	}

	fn subscriptions(node: &T::AccountId) -> Vec<T::AccountId> {
		let epoch = T::Epochs::current_epoch();
		Self::moderators_where(node, |s| s.in_effect(epoch))
	}

	fn is_subscribed(node: &T::AccountId, moderator: &T::AccountId) -> bool {
		let epoch = T::Epochs::current_epoch();
		Nodes::<T>::get(node).is_some_and(|info| {
			info.subscriptions.iter().any(|s| s.moderator == *moderator && s.in_effect(epoch))
		})
	}

	fn obligations(node: &T::AccountId) -> Vec<T::AccountId> {
		let epoch = T::Epochs::current_epoch();
		Self::moderators_where(node, |s| s.obliges(epoch))
	}

	fn carries_unmoderated(node: &T::AccountId) -> bool {
		Nodes::<T>::get(node).is_some_and(|info| info.unmoderated)
	}

	fn node_count() -> u32 {
		NodeCount::<T>::get()
	}

	fn node_at(index: u32) -> Option<T::AccountId> {
		NodeIndex::<T>::get(index)
	}

	fn check_capacity(node: &T::AccountId) -> Option<CapacityStatus<BlockNumberFor<T>>> {
		Self::do_check_capacity(node).ok()
	}
}

impl<T: Config> NodePenalties<T::AccountId> for Pallet<T> {
	type Balance = BalanceOf<T>;

	fn slash(node: &T::AccountId, fraction: Perbill) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_slash(node, fraction)
	}

	fn warn(node: &T::AccountId) -> DispatchResult {
		Self::do_set_standing(node, Standing::Warned)
	}

	fn suspend(node: &T::AccountId) -> DispatchResult {
		Self::do_set_standing(node, Standing::Suspended)
	}

	fn ban(node: &T::AccountId) -> DispatchResult {
		Self::do_ban(node)
	}

	fn restore(node: &T::AccountId) -> DispatchResult {
		Self::do_set_standing(node, Standing::Active)
	}
}

impl<T: Config> bitcloud_primitives::SubscriberCount<T::AccountId> for Pallet<T> {
	fn subscriber_count(moderator: &T::AccountId) -> u32 {
		SubscriberCount::<T>::get(moderator)
	}
}

impl<T: Config> Pallet<T> {
	/// The moderators of `node`'s subscriptions that satisfy `keep`.
	fn moderators_where(
		node: &T::AccountId,
		keep: impl Fn(&Subscription<T::AccountId>) -> bool,
	) -> Vec<T::AccountId> {
		Nodes::<T>::get(node)
			.map(|info| {
				info.subscriptions.into_iter().filter(|s| keep(s)).map(|s| s.moderator).collect()
			})
			.unwrap_or_default()
	}

	/// Standing of `node`: `Banned` for a banned account, `None` if it has no node.
	pub fn standing_of(node: &T::AccountId) -> Option<Standing> {
		match Nodes::<T>::get(node) {
			Some(info) => Some(info.standing),
			None if Banned::<T>::contains_key(node) => Some(Standing::Banned),
			None => None,
		}
	}

	/// Everything a client needs about `node` (runtime API `NodesApi::node`).
	pub fn node_view(
		node: &T::AccountId,
	) -> Option<NodeView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let info = Nodes::<T>::get(node)?;
		let (required, capacity_status) = Self::capacity_status(node, &info);
		let epoch = T::Epochs::current_epoch();
		let held: Vec<_> = info.subscriptions.iter().filter(|s| s.obliges(epoch)).collect();
		Some(NodeView {
			bond: info.bond,
			capacity: info.capacity,
			required,
			capacity_status,
			endpoint: info.endpoint.into_inner(),
			onion_key: info.onion_key,
			unmoderated: info.unmoderated,
			standing: info.standing,
			subscriptions: held.iter().map(|s| s.moderator.clone()).collect(),
			unsubscribing: held
				.iter()
				.filter_map(|s| s.ends.map(|ends| (s.moderator.clone(), ends)))
				.collect(),
		})
	}

	/// Nodes that subscribe to `moderator` and may serve its catalog: subscribed now (an
	/// unsubscription not ended yet included), registered and not suspended (runtime API
	/// `NodesApi::nodes_serving`). Iterates all subscribers: meant for off-chain queries,
	/// never for a dispatchable.
	pub fn nodes_serving(moderator: &T::AccountId) -> Vec<T::AccountId> {
		Subscribers::<T>::iter_key_prefix(moderator)
			.filter(|node| <Self as NodeRegistry<_, _>>::is_subscribed(node, moderator))
			.filter(|node| Nodes::<T>::get(node).is_some_and(|info| info.standing.earns_rewards()))
			.collect()
	}

	/// Nodes that carry unmoderated traffic and are `Active`: the relays onion clients choose
	/// from (runtime API `NodesApi::onion_relays`). Iterates all nodes: meant for off-chain
	/// queries, never for a dispatchable.
	pub fn onion_relays() -> Vec<T::AccountId> {
		Nodes::<T>::iter()
			.filter(|(_, info)| info.unmoderated && info.standing == Standing::Active)
			.map(|(node, _)| node)
			.collect()
	}
}
