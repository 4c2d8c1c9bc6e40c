//! The client's side of the economy: bandwidth locks (the quota receipts draw on), node
//! rewards and claims, and a node's standing under the storage law.

use crate::{keys::Signer, queries, rpc::Rpc, Error};
use bitcloud_primitives::{AccountId, Balance, EpochIndex, TOKEN_DECIMALS, UNIT};
use bitcloud_runtime::RuntimeCall;

/// A client's quota as `BandwidthApi_client_quota` returns it.
pub type ClientQuota = pallet_bandwidth::ClientQuota<Balance>;

/// A node's reward for an epoch as `RewardsApi_pending_rewards` returns it.
pub type PendingRewards = pallet_rewards::PendingRewards<AccountId, Balance>;

/// A node's standing under the storage law as `StorageLawApi_standing` returns it.
pub type StandingView = pallet_storage_law::StandingView;

/// Parses an amount of CLD such as `10`, `0.5` or `1_000` into planck (10^-12 CLD).
pub fn parse_cld(text: &str) -> Result<Balance, Error> {
	let bad = || Error::Input(format!("{text} is not an amount of CLD (for example 10 or 0.25)"));
	let clean = text.trim().replace('_', "");
	let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
	let (whole, fraction) = match clean.split_once('.') {
		Some((whole, fraction)) if digits(fraction) => (whole, fraction),
		Some(_) => return Err(bad()),
		None => (clean.as_str(), ""),
	};
	if !digits(whole) {
		return Err(bad());
	}
	if fraction.len() > usize::from(TOKEN_DECIMALS) {
		return Err(Error::Input(format!("{text}: CLD has {TOKEN_DECIMALS} decimals at most")));
	}
	let whole: Balance = whole.parse().map_err(|_| bad())?;
	let padded = format!("{fraction:0<width$}", width = usize::from(TOKEN_DECIMALS));
	let fraction: Balance = padded.parse().map_err(|_| bad())?;
	whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

/// Planck as CLD with every significant decimal (`1.5 CLD`).
pub fn format_cld(amount: Balance) -> String {
	let (whole, fraction) = (amount / UNIT, amount % UNIT);
	if fraction == 0 {
		return format!("{whole} CLD");
	}
	let fraction = format!("{fraction:0width$}", width = usize::from(TOKEN_DECIMALS));
	format!("{whole}.{} CLD", fraction.trim_end_matches('0'))
}

/// Locks `amount` for bandwidth: the quota of bytes per epoch grows with it.
pub fn lock(rpc: &Rpc, signer: &Signer, amount: Balance) -> Result<(), Error> {
	let call = pallet_bandwidth::Call::lock { amount };
	rpc.execute(signer, RuntimeCall::Bandwidth(call)).map(drop)
}

/// Starts unlocking `amount` (withdrawable after the unlock delay).
pub fn unlock(rpc: &Rpc, signer: &Signer, amount: Balance) -> Result<(), Error> {
	let call = pallet_bandwidth::Call::unlock { amount };
	rpc.execute(signer, RuntimeCall::Bandwidth(call)).map(drop)
}

/// Withdraws what has finished unlocking.
pub fn withdraw(rpc: &Rpc, signer: &Signer) -> Result<(), Error> {
	let call = pallet_bandwidth::Call::withdraw_unlocked {};
	rpc.execute(signer, RuntimeCall::Bandwidth(call)).map(drop)
}

/// `client`'s lock and quota in the current epoch.
pub fn quota(rpc: &Rpc, client: &AccountId) -> Result<(EpochIndex, ClientQuota), Error> {
	let epoch = queries::current_epoch(rpc)?.epoch;
	let quota = rpc.runtime_api("BandwidthApi_client_quota", (client, epoch))?;
	Ok((epoch, quota))
}

/// `node`'s rewards for the `last` epochs before the current one, newest first.
pub fn rewards(
	rpc: &Rpc,
	node: &AccountId,
	last: u32,
) -> Result<Vec<(EpochIndex, PendingRewards)>, Error> {
	let current = queries::current_epoch(rpc)?.epoch;
	(current.saturating_sub(last)..=current)
		.rev()
		.map(|epoch| Ok((epoch, rpc.runtime_api("RewardsApi_pending_rewards", (node, epoch))?)))
		.collect()
}

/// Claims `node`'s reward for `epoch`, signed by `signer` (anyone may claim for a node; the
/// reward goes to the node and its moderators either way).
pub fn claim(rpc: &Rpc, signer: &Signer, node: &AccountId, epoch: EpochIndex) -> Result<(), Error> {
	let call = if signer.account() == *node {
		pallet_rewards::Call::claim_rewards { epoch }
	} else {
		pallet_rewards::Call::claim_rewards_for { node: node.clone(), epoch }
	};
	rpc.execute(signer, RuntimeCall::Rewards(call)).map(drop)
}

/// `node`'s standing under the storage law (none if it was never a node).
pub fn standing(rpc: &Rpc, node: &AccountId) -> Result<Option<StandingView>, Error> {
	rpc.runtime_api("StorageLawApi_standing", node)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_and_print_in_cld() {
		assert_eq!(parse_cld("10"), Ok(10 * UNIT));
		assert_eq!(parse_cld("0.25"), Ok(UNIT / 4));
		assert_eq!(parse_cld("1_000.000000000001"), Ok(1000 * UNIT + 1));
		for bad in ["", "-1", "1.", ".5", "1e3", "abc", "1.0000000000001", "1.2.3"] {
			assert!(parse_cld(bad).is_err(), "{bad}");
		}
		assert!(parse_cld("999999999999999999999999999999").is_err());
		assert_eq!(format_cld(10 * UNIT), "10 CLD");
		assert_eq!(format_cld(UNIT / 4 + 3 * UNIT), "3.25 CLD");
		assert_eq!(format_cld(1), "0.000000000001 CLD");
	}
}
