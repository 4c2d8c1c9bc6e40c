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
use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use bitcloud_primitives::{receipt, EpochClock, EpochIndex, NodeRegistry};
use frame_support::{
	ensure,
	pallet_prelude::{DispatchError, DispatchResult, DispatchResultWithPostInfo},
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use polkadot_sdk::sp_core::H256;
use sp_runtime::traits::{SaturatedConversion, Saturating, Zero};

/// A receipt as clients sign it.
type Receipt<T> = receipt::Receipt<<T as frame_system::Config>::AccountId>;

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
	///
	/// Returns the batch's actual weight: its receipts less those whose clients paid the node
	/// from their locks, and those.
	pub(crate) fn do_submit_receipts(
		node: &T::AccountId,
		receipts: Vec<SignedReceiptOf<T>>,
	) -> DispatchResultWithPostInfo {
		ensure!(!receipts.is_empty(), Error::<T>::EmptyBatch);
		let standing = T::Nodes::standing(node).ok_or(Error::<T>::NotANode)?;
		ensure!(standing.earns_rewards(), Error::<T>::NodeNotEarning);

		let mut batch = Batch::<T>::new(node.clone());
		for signed in &receipts {
			batch.take(signed)?;
		}
		let count = receipts.len() as u32;
		let compensating = batch.write(count)?;
		let weight =
			T::WeightInfo::submit_receipts(count.saturating_sub(compensating), compensating);
		Ok(Some(weight).into())
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

	/// Check `signed` (its terms, a total above the last claimed, its signature), charge its
	/// client ([`Self::charge`]) and record its claim, all in the batch: storage is only read
	/// here, and written by [`Self::write`] once every receipt passed.
	fn take(&mut self, signed: &SignedReceiptOf<T>) -> DispatchResult {
		let r = &signed.receipt;
		self.check_terms(r)?;
		let record = record_of::<T>(&mut self.clients, r);
		let previous = claim_of::<T>(record, &self.node, &r.moderator).map_or(0, |c| c.total);
		let used = record.used;
		ensure!(r.bytes > previous, Error::<T>::NotIncreasing);
		ensure!(receipt::verify(signed, &self.genesis), Error::<T>::BadSignature);

		let credit = self.charge(r, r.bytes.saturating_sub(previous), used)?;
		self.record_claim(r, credit)?;
		self.credit(r.epoch, &r.moderator, credit);
		Ok(())
	}

	/// The receipt's node, client, epoch and moderator are ones the node may be paid for.
	fn check_terms(&mut self, r: &Receipt<T>) -> DispatchResult {
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

	/// Charge the receipt's client for `increase` more bytes, `used` bytes of its quota for
	/// the epoch already counted: the fees of the bytes it can still pay for, which are
	/// credited, and for the bytes beyond, a payment to the node from what is left of its lock.
	/// Returns the bytes credited.
	fn charge(&mut self, r: &Receipt<T>, increase: u64, used: u64) -> Result<u64, DispatchError> {
		let fee_per_byte = self.fee_per_byte;
		let payer = payer_of::<T>(&mut self.payers, &r.client);
		ensure!(!payer.before.spendable(r.epoch).is_zero(), Error::<T>::ClientHasNoLock);

		let credit = increase.min(payer.bytes_left(r.epoch, used, fee_per_byte));
		let fee = fee_per_byte.saturating_mul(credit.saturated_into());
		payer.pay_fee(fee, r.epoch);
		self.fees = self.fees.saturating_add(fee);

		let overdrawn = increase.saturating_sub(credit);
		if overdrawn > 0 {
			let paid =
				payer.compensate(fee_per_byte.saturating_mul(overdrawn.saturated_into()), r.epoch);
			self.overdrawn.push(Event::QuotaOverdrawn {
				client: r.client.clone(),
				node: self.node.clone(),
				epoch: r.epoch,
				bytes: overdrawn,
				paid,
			});
		}
		Ok(credit)
	}

	/// Record the receipt's total as the node's last claim under its moderator, `credit` of
	/// its increase credited.
	fn record_claim(&mut self, r: &Receipt<T>, credit: u64) -> DispatchResult {
		let record = record_of::<T>(&mut self.clients, r);
		record.used = record.used.saturating_add(credit);
		if let Some(claim) = claim_of::<T>(record, &self.node, &r.moderator) {
			claim.total = r.bytes;
			claim.credited = claim.credited.saturating_add(credit);
			return Ok(());
		}
		let claim = Claim {
			node: self.node.clone(),
			moderator: r.moderator.clone(),
			total: r.bytes,
			credited: credit,
		};
		record.claims.try_push(claim).map_err(|_| Error::<T>::TooManyPairs.into())
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

	/// Write everything the batch changes and emit its events; returns how many clients paid
	/// the node from their locks.
	fn write(self, receipts: u32) -> Result<u32, DispatchError> {
		// Node figures first: the only write that can fail on a bound.
		self.write_node_figures()?;
		for (epoch, moderator, bytes) in &self.credits {
			ModeratorBytes::<T>::mutate(epoch, moderator, |b| *b = b.saturating_add(*bytes));
			EpochTotals::<T>::mutate(epoch, |b| *b = b.saturating_add(*bytes));
		}
		for ((epoch, client), record) in self.clients {
			ClientEpochs::<T>::insert(epoch, client, record);
		}
		let mut compensating = 0;
		for (client, payer) in self.payers {
			compensating += u32::from(!payer.compensation.is_zero());
			payer.settle(&client, &self.node)?;
		}

		Pallet::<T>::deposit_event(Event::ReceiptsAccepted {
			node: self.node,
			receipts,
			bytes: self.credited,
			fees: self.fees,
		});
		for event in self.overdrawn {
			Pallet::<T>::deposit_event(event);
		}
		Ok(compensating)
	}

	/// Add the batch's credits to the node's figures of each epoch (read and written once).
	fn write_node_figures(&self) -> DispatchResult {
		let mut nodes = BTreeMap::<EpochIndex, NodeEpoch<T>>::new();
		for (epoch, moderator, bytes) in &self.credits {
			let figures = nodes
				.entry(*epoch)
				.or_insert_with(|| NodeEpochs::<T>::get(epoch, &self.node).unwrap_or_default());
			add_to_figures::<T>(figures, moderator, *bytes)?;
		}
		for (epoch, figures) in nodes {
			NodeEpochs::<T>::insert(epoch, &self.node, figures);
		}
		Ok(())
	}
}

impl<T: Config> Payer<T> {
	/// Bytes of `epoch` the client can still pay for, `used` bytes of its quota for it
	/// already counted: its quota left, and the bytes its coins pay fees for.
	fn bytes_left(&self, epoch: EpochIndex, used: u64, fee_per_byte: BalanceOf<T>) -> u64 {
		let quota_left = Pallet::<T>::quota_of(self.before.backing(epoch)).saturating_sub(used);
		quota_left.min(affordable_bytes::<T>(self.lock.spendable(epoch), fee_per_byte))
	}

	/// Take `fee` from the lock for bytes of `epoch`; it stays held, as spent, until burnt.
	fn pay_fee(&mut self, fee: BalanceOf<T>, epoch: EpochIndex) {
		self.lock.take(fee, epoch);
		self.lock.spent = self.lock.spent.saturating_add(fee);
	}

	/// Take `owed` for the node, or what is left of the lock for `epoch` if less; returns the
	/// amount taken.
	fn compensate(&mut self, owed: BalanceOf<T>, epoch: EpochIndex) -> BalanceOf<T> {
		let paid = owed.min(self.lock.spendable(epoch));
		self.lock.take(paid, epoch);
		self.compensation = self.compensation.saturating_add(paid);
		paid
	}

	/// Move the compensation owed to `node` from `client`'s hold, and store its lock if the
	/// batch changed it.
	fn settle(self, client: &T::AccountId, node: &T::AccountId) -> DispatchResult {
		if !self.compensation.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::BandwidthLock.into(),
				client,
				node,
				self.compensation,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		if self.lock != self.before {
			Pallet::<T>::store_lock(client, self.lock);
		}
		Ok(())
	}
}

/// The receipt's client record for its epoch in `clients`, read from storage the first time.
fn record_of<'a, T: Config>(
	clients: &'a mut BTreeMap<(EpochIndex, T::AccountId), ClientEpoch<T>>,
	r: &Receipt<T>,
) -> &'a mut ClientEpoch<T> {
	clients
		.entry((r.epoch, r.client.clone()))
		.or_insert_with(|| ClientEpochs::<T>::get(r.epoch, &r.client).unwrap_or_default())
}

/// `client` as a payer in `payers`, its lock read from storage the first time.
fn payer_of<'a, T: Config>(
	payers: &'a mut BTreeMap<T::AccountId, Payer<T>>,
	client: &T::AccountId,
) -> &'a mut Payer<T> {
	payers.entry(client.clone()).or_insert_with(|| {
		let lock = Locks::<T>::get(client).unwrap_or_default();
		Payer { before: lock.clone(), lock, compensation: Zero::zero() }
	})
}

/// `node`'s claim under `moderator` in a client's record, if it has one.
fn claim_of<'a, T: Config>(
	record: &'a mut ClientEpoch<T>,
	node: &T::AccountId,
	moderator: &Option<T::AccountId>,
) -> Option<&'a mut Claim<T::AccountId>> {
	record.claims.iter_mut().find(|c| c.node == *node && c.moderator == *moderator)
}

/// Add `bytes` credited under `moderator` to a node's figures of an epoch.
fn add_to_figures<T: Config>(
	figures: &mut NodeEpoch<T>,
	moderator: &Option<T::AccountId>,
	bytes: u64,
) -> DispatchResult {
	figures.total = figures.total.saturating_add(bytes);
	if let Some((_, credited)) = figures.by_moderator.iter_mut().find(|(m, _)| m == moderator) {
		*credited = credited.saturating_add(bytes);
		return Ok(());
	}
	figures
		.by_moderator
		.try_push((moderator.clone(), bytes))
		.map_err(|_| Error::<T>::TooManyModerators.into())
}

/// Bytes whose fees `coins` pay at `fee_per_byte` (all of them when the fee is zero).
fn affordable_bytes<T: Config>(coins: BalanceOf<T>, fee_per_byte: BalanceOf<T>) -> u64 {
	if fee_per_byte.is_zero() {
		return u64::MAX;
	}
	(coins / fee_per_byte).saturated_into()
}
