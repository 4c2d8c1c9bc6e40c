//! `submit_receipts`: every receipt of a batch is checked and its effect gathered in a
//! [`Batch`] first; nothing is written unless the whole batch is valid.
//!
//! A receipt is credited as far as its client can still pay for it: up to the client's quota
//! left in the epoch (summed over all nodes) and what its coins can pay fees for. A node
//! cannot know what the client signed to other nodes in the same epoch, so a client can sign
//! more than its quota in all; the chain then credits the receipts in the order they land and
//! pays the nodes that come later for the rest from the client's lock, at `FeePerByte`
//! (`docs/threat-model.md`, "Quota"). A receipt is never refused for being over quota: a
//! refused receipt would fail the node's whole batch.

use crate::*;
use alloc::{
	collections::btree_map::{BTreeMap, Entry},
	vec::Vec,
};
use bitcloud_primitives::{receipt, EpochClock, EpochIndex, NodeRegistry};
use frame_support::{
	ensure,
	pallet_prelude::DispatchResult,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use polkadot_sdk::sp_core::H256;
use sp_runtime::traits::{SaturatedConversion, Saturating, Zero};

/// A client paying for bytes of the batch.
struct Payer<T: Config> {
	/// Its lock before the batch: the quota of each epoch is computed from it.
	before: ClientLock<T>,
	/// Its lock as the batch leaves it.
	lock: ClientLock<T>,
	/// Coins to move from its hold to the node for bytes it signed beyond what it could pay
	/// fees for.
	compensation: BalanceOf<T>,
}

/// What a batch changes, gathered before anything is written.
struct Batch<T: Config> {
	node: T::AccountId,
	genesis: H256,
	/// The oldest and newest epochs whose receipts are taken.
	window: (EpochIndex, EpochIndex),
	fee_per_byte: BalanceOf<T>,
	/// Moderators (and "unmoderated") already checked for the node.
	allowed: Vec<Option<T::AccountId>>,
	/// Each (epoch, client) record, read once and written once.
	clients: BTreeMap<(EpochIndex, T::AccountId), ClientEpoch<T>>,
	payers: BTreeMap<T::AccountId, Payer<T>>,
	/// Bytes newly credited by (epoch, moderator), in the order of first appearance so that
	/// a node's figures list moderators in the order it was first credited under them.
	credits: Vec<(EpochIndex, Option<T::AccountId>, u64)>,
	credited: u64,
	fees: BalanceOf<T>,
	overdrawn: Vec<Event<T>>,
}

impl<T: Config> Pallet<T> {
	/// Check every receipt of `node`'s batch, then credit them. Any invalid receipt fails the
	/// whole batch before anything is written.
	///
	/// Reads and writes one `clientEpochs` entry per distinct client and epoch, one `locks`
	/// entry per distinct client, and one `nodeEpochs`, `moderatorBytes` and `epochTotals`
	/// entry per distinct epoch (and moderator) of the batch; moves held coins once per
	/// client that signed past what it could pay for.
	pub(crate) fn do_submit_receipts(
		node: &T::AccountId,
		receipts: Vec<SignedReceiptOf<T>>,
	) -> DispatchResult {
		ensure!(!receipts.is_empty(), Error::<T>::EmptyBatch);
		let standing = T::Nodes::standing(node).ok_or(Error::<T>::NotANode)?;
		ensure!(standing.earns_rewards(), Error::<T>::NodeNotEarning);

		let mut batch = Batch::<T>::new(node.clone());
		for signed in &receipts {
			batch.take(signed)?;
		}
		batch.write(receipts.len() as u32)
	}
}

impl<T: Config> Batch<T> {
	fn new(node: T::AccountId) -> Self {
		let current = T::EpochClock::current_epoch();
		let oldest =
			current.saturating_sub(T::SubmissionWindow::get()).max(OldestKeptEpoch::<T>::get());
		Batch {
			node,
			genesis: Pallet::<T>::genesis_hash(),
			window: (oldest, current),
			fee_per_byte: T::FeePerByte::get(),
			allowed: Vec::new(),
			clients: BTreeMap::new(),
			payers: BTreeMap::new(),
			credits: Vec::new(),
			credited: 0,
			fees: Zero::zero(),
			overdrawn: Vec::new(),
		}
	}

	/// Check `signed` and add its effect to the batch.
	fn take(&mut self, signed: &SignedReceiptOf<T>) -> DispatchResult {
		let r = &signed.receipt;
		self.check_terms(r)?;
		let record = match self.clients.entry((r.epoch, r.client.clone())) {
			Entry::Occupied(entry) => entry.into_mut(),
			Entry::Vacant(entry) => {
				entry.insert(ClientEpochs::<T>::get(r.epoch, &r.client).unwrap_or_default())
			},
		};
		let position = record
			.claims
			.iter()
			.position(|claim| claim.node == self.node && claim.moderator == r.moderator);
		let previous = position.and_then(|i| record.claims.get(i)).map_or(0, |c| c.total);
		ensure!(r.bytes > previous, Error::<T>::NotIncreasing);
		ensure!(receipt::verify(signed, &self.genesis), Error::<T>::BadSignature);

		let payer = match self.payers.entry(r.client.clone()) {
			Entry::Occupied(entry) => entry.into_mut(),
			Entry::Vacant(entry) => {
				let lock = Locks::<T>::get(&r.client).unwrap_or_default();
				entry.insert(Payer { before: lock.clone(), lock, compensation: Zero::zero() })
			},
		};
		ensure!(!payer.before.spendable(r.epoch).is_zero(), Error::<T>::ClientHasNoLock);

		// Credit what the client can still pay for: its quota left, and fees its coins cover.
		let increase = r.bytes.saturating_sub(previous);
		let quota_left =
			Pallet::<T>::quota_of(payer.before.backing(r.epoch)).saturating_sub(record.used);
		let affordable = affordable_bytes::<T>(payer.lock.spendable(r.epoch), self.fee_per_byte);
		let credit = increase.min(quota_left).min(affordable);
		let fee = self.fee_per_byte.saturating_mul(credit.saturated_into());
		payer.lock.take(fee, r.epoch);
		payer.lock.spent = payer.lock.spent.saturating_add(fee);
		self.fees = self.fees.saturating_add(fee);

		// Bytes signed beyond that are paid to the node from what is left of the lock.
		let overdrawn = increase.saturating_sub(credit);
		if overdrawn > 0 {
			let paid = self
				.fee_per_byte
				.saturating_mul(overdrawn.saturated_into())
				.min(payer.lock.spendable(r.epoch));
			payer.lock.take(paid, r.epoch);
			payer.compensation = payer.compensation.saturating_add(paid);
			self.overdrawn.push(Event::QuotaOverdrawn {
				client: r.client.clone(),
				node: self.node.clone(),
				epoch: r.epoch,
				bytes: overdrawn,
				paid,
			});
		}

		record.used = record.used.saturating_add(credit);
		match position.and_then(|i| record.claims.get_mut(i)) {
			Some(claim) => {
				claim.total = r.bytes;
				claim.credited = claim.credited.saturating_add(credit);
			},
			None => record
				.claims
				.try_push(Claim {
					node: self.node.clone(),
					moderator: r.moderator.clone(),
					total: r.bytes,
					credited: credit,
				})
				.map_err(|_| Error::<T>::TooManyPairs)?,
		}
		self.credit(r.epoch, &r.moderator, credit);
		Ok(())
	}

	/// The receipt's node, client, epoch and moderator are ones the node may be paid for.
	fn check_terms(&mut self, r: &receipt::Receipt<T::AccountId>) -> DispatchResult {
		ensure!(r.node == self.node, Error::<T>::WrongNode);
		ensure!(r.client != self.node, Error::<T>::SelfServed);
		let (oldest, current) = self.window;
		ensure!(oldest <= r.epoch && r.epoch <= current, Error::<T>::EpochOutsideWindow);
		if self.allowed.contains(&r.moderator) {
			return Ok(());
		}
		match &r.moderator {
			Some(moderator) => {
				ensure!(T::Nodes::is_subscribed(&self.node, moderator), Error::<T>::NotSubscribed)
			},
			None => ensure!(
				T::Nodes::carries_unmoderated(&self.node),
				Error::<T>::UnmoderatedNotCarried
			),
		}
		self.allowed.push(r.moderator.clone());
		Ok(())
	}

	/// Add `bytes` credited under `moderator` in `epoch`.
	fn credit(&mut self, epoch: EpochIndex, moderator: &Option<T::AccountId>, bytes: u64) {
		if bytes == 0 {
			return;
		}
		match self.credits.iter_mut().find(|(e, m, _)| *e == epoch && m == moderator) {
			Some((_, _, credit)) => *credit = credit.saturating_add(bytes),
			None => self.credits.push((epoch, moderator.clone(), bytes)),
		}
		self.credited = self.credited.saturating_add(bytes);
	}

	/// Write everything the batch changes and emit its events.
	fn write(self, receipts: u32) -> DispatchResult {
		let node = &self.node;
		// Node figures first: the only write that can still fail.
		let mut nodes = BTreeMap::<EpochIndex, NodeEpoch<T>>::new();
		for (epoch, moderator, bytes) in &self.credits {
			let figures = match nodes.entry(*epoch) {
				Entry::Occupied(entry) => entry.into_mut(),
				Entry::Vacant(entry) => {
					entry.insert(NodeEpochs::<T>::get(epoch, node).unwrap_or_default())
				},
			};
			figures.total = figures.total.saturating_add(*bytes);
			match figures.by_moderator.iter_mut().find(|(m, _)| m == moderator) {
				Some((_, credited)) => *credited = credited.saturating_add(*bytes),
				None => figures
					.by_moderator
					.try_push((moderator.clone(), *bytes))
					.map_err(|_| Error::<T>::TooManyModerators)?,
			}
		}
		for (epoch, figures) in nodes {
			NodeEpochs::<T>::insert(epoch, node, figures);
		}
		for (epoch, moderator, bytes) in self.credits {
			ModeratorBytes::<T>::mutate(epoch, &moderator, |b| *b = b.saturating_add(bytes));
			EpochTotals::<T>::mutate(epoch, |b| *b = b.saturating_add(bytes));
		}
		for ((epoch, client), record) in self.clients {
			ClientEpochs::<T>::insert(epoch, client, record);
		}
		for (client, payer) in self.payers {
			if !payer.compensation.is_zero() {
				T::Currency::transfer_on_hold(
					&HoldReason::BandwidthLock.into(),
					&client,
					node,
					payer.compensation,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Force,
				)?;
			}
			if payer.lock == payer.before {
				continue;
			}
			if payer.lock.is_empty() {
				Locks::<T>::remove(&client);
			} else {
				Locks::<T>::insert(&client, payer.lock);
			}
		}

		Pallet::<T>::deposit_event(Event::ReceiptsAccepted {
			node: node.clone(),
			receipts,
			bytes: self.credited,
			fees: self.fees,
		});
		for event in self.overdrawn {
			Pallet::<T>::deposit_event(event);
		}
		Ok(())
	}
}

/// Bytes whose fees `coins` pay at `fee_per_byte` (all of them when the fee is zero).
fn affordable_bytes<T: Config>(coins: BalanceOf<T>, fee_per_byte: BalanceOf<T>) -> u64 {
	if fee_per_byte.is_zero() {
		return u64::MAX;
	}
	(coins / fee_per_byte).saturated_into()
}
