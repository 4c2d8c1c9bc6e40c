//! What the duties do when a duty is not done: [`DutyError`] says it (drop the receipt, or
//! try again later), [`Cause`] keeps why; [`StartError`] is why the duties do not run at all.

use std::fmt;

use bitcloud_content::{prove::ProveError, BookError};
use bitcloud_runtime::{AccountId, RuntimeError};
use polkadot_sdk::{
	sp_api::ApiError,
	sp_runtime::{transaction_validity::TransactionValidityError, DispatchError},
	substrate_prometheus_endpoint::PrometheusError,
};

use crate::{client::PoolError, node_key::SignError};

/// A duty that was not done, by what the duties do about it.
#[derive(Debug)]
pub enum DutyError {
	/// The chain refuses this receipt (the bandwidth pallet's error names why): drop it from
	/// the book and never send it again.
	DropReceipt(&'static str),
	/// Nothing is known to be wrong with what was sent: try again in a later round, when the
	/// duty's retry interval has passed (`RETRY_BLOCKS` for receipts,
	/// `CHALLENGE_RETRY_BLOCKS` for answers). Within a round, a dry-run search stops here:
	/// the same cause would stop the next batches too.
	RetryLater(Cause),
}

/// Why a duty waits for a later round.
#[derive(Debug)]
pub enum Cause {
	/// A runtime API call at the best block failed.
	ChainUnavailable(ApiError),
	/// The transaction is not valid for the node's account at the moment (it cannot pay the
	/// fee, its nonce is stale, the block is full).
	NotValid(TransactionValidityError),
	/// The transaction pool did not take the transaction (full, or a nonce clash).
	Pool(PoolError),
	/// The chain refuses the node itself (`NotANode`, `NodeNotEarning`): its receipts are
	/// kept until their submission window closes.
	NodeRefused(&'static str),
	/// The call fails for a reason that is not the bandwidth pallet's.
	Dispatch(DispatchError),
	/// The node's key could not sign.
	Signing(SignError),
	/// The signed transaction could not be read back as an opaque extrinsic.
	Encoding(codec::Error),
	/// The receipt book could not be read or written.
	Book(BookError),
	/// The store cannot prove the challenged chunks (see [`ProveError`] for each case).
	Proof(ProveError),
	/// The store gave more proofs than a challenge takes.
	TooManyProofs(usize),
	/// The round's dry runs are used up (`MAX_TRIALS_PER_ROUND`).
	OutOfTrials,
}

impl DutyError {
	/// A short label for metrics: the chain's error for a refused receipt, the cause
	/// otherwise.
	pub fn label(&self) -> &'static str {
		match self {
			DutyError::DropReceipt(error) => error,
			DutyError::RetryLater(cause) => cause.label(),
		}
	}
}

impl Cause {
	/// A short label for metrics.
	pub fn label(&self) -> &'static str {
		match self {
			Cause::ChainUnavailable(_) => "chain_unavailable",
			Cause::NotValid(_) => "not_valid",
			Cause::Pool(_) => "pool",
			Cause::NodeRefused(error) => error,
			Cause::Dispatch(_) => "dispatch",
			Cause::Signing(_) => "signing",
			Cause::Encoding(_) => "encoding",
			Cause::Book(_) => "book",
			Cause::Proof(_) => "proof",
			Cause::TooManyProofs(_) => "too_many_proofs",
			Cause::OutOfTrials => "out_of_trials",
		}
	}
}

/// What the chain's refusal of a batch says: a bandwidth error about a receipt drops it;
/// one about the node, or any other error, is tried again.
pub fn classify(error: DispatchError) -> DutyError {
	use pallet_bandwidth::Error;
	match RuntimeError::from_dispatch_error(error) {
		Some(RuntimeError::Bandwidth(
			e @ (Error::NotANode | Error::NodeNotEarning | Error::EmptyBatch),
		)) => Cause::NodeRefused(e.into()).into(),
		Some(RuntimeError::Bandwidth(e)) => DutyError::DropReceipt(e.into()),
		_ => Cause::Dispatch(error).into(),
	}
}

impl From<Cause> for DutyError {
	fn from(cause: Cause) -> Self {
		DutyError::RetryLater(cause)
	}
}

impl From<ApiError> for DutyError {
	fn from(e: ApiError) -> Self {
		Cause::ChainUnavailable(e).into()
	}
}

impl From<BookError> for DutyError {
	fn from(e: BookError) -> Self {
		Cause::Book(e).into()
	}
}

impl From<SignError> for DutyError {
	fn from(e: SignError) -> Self {
		Cause::Signing(e).into()
	}
}

impl fmt::Display for DutyError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			DutyError::DropReceipt(e) => write!(f, "the chain refuses the receipt: {e}"),
			DutyError::RetryLater(cause) => cause.fmt(f),
		}
	}
}

impl fmt::Display for Cause {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Cause::ChainUnavailable(e) => write!(f, "the chain cannot be asked: {e}"),
			Cause::NotValid(e) => write!(f, "the transaction is not valid now: {e:?}"),
			Cause::Pool(e) => write!(f, "the transaction pool refused it: {e}"),
			Cause::NodeRefused(e) => write!(f, "the chain refuses this node: {e}"),
			Cause::Dispatch(e) => match RuntimeError::from_dispatch_error(*e) {
				Some(error) => write!(f, "the call fails: {error:?}"),
				None => write!(f, "the call fails: {e:?}"),
			},
			Cause::Signing(e) => write!(f, "cannot sign: {e}"),
			Cause::Encoding(e) => write!(f, "cannot encode the transaction: {e}"),
			Cause::Book(e) => e.fmt(f),
			Cause::Proof(e) => e.fmt(f),
			Cause::TooManyProofs(count) => {
				write!(f, "more proofs than a challenge takes ({count})")
			},
			Cause::OutOfTrials => write!(f, "no dry runs left this round"),
		}
	}
}

impl std::error::Error for DutyError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			DutyError::DropReceipt(_) => None,
			DutyError::RetryLater(cause) => cause.source(),
		}
	}
}

impl std::error::Error for Cause {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			Cause::ChainUnavailable(e) => Some(e),
			Cause::Pool(e) => Some(e),
			Cause::Signing(e) => Some(e),
			Cause::Encoding(e) => Some(e),
			Cause::Book(e) => Some(e),
			Cause::Proof(e) => Some(e),
			Cause::NotValid(_)
			| Cause::NodeRefused(_)
			| Cause::Dispatch(_)
			| Cause::TooManyProofs(_)
			| Cause::OutOfTrials => None,
		}
	}
}

/// Why the duties do not run: the node serves, but submits no receipts and answers no
/// challenges until it is restarted with the cause fixed.
#[derive(Debug)]
pub enum StartError {
	/// The keystore holds no `bcnd` key of the node account.
	KeyMissing(AccountId),
	/// The duties' metrics could not be registered.
	Metrics(PrometheusError),
}

impl fmt::Display for StartError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			StartError::KeyMissing(node) => write!(
				f,
				"no key for the node account {node} in the keystore (key type bcnd): receipts \
				 are not submitted and challenges not answered; insert it with `bitcloud-node \
				 key insert --key-type bcnd --scheme sr25519`"
			),
			StartError::Metrics(e) => write!(f, "{e}"),
		}
	}
}

impl std::error::Error for StartError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			StartError::KeyMissing(_) => None,
			StartError::Metrics(e) => Some(e),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_runtime::Runtime;
	use pallet_bandwidth::Error;

	fn refusal(error: Error<Runtime>) -> DispatchError {
		error.into()
	}

	#[test]
	fn a_receipt_the_chain_refuses_is_dropped() {
		let error = classify(refusal(Error::BadSignature));
		assert!(matches!(error, DutyError::DropReceipt("BadSignature")), "{error:?}");
		assert_eq!(error.label(), "BadSignature");
	}

	#[test]
	fn a_refusal_of_the_node_is_retried() {
		let error = classify(refusal(Error::NotANode));
		assert!(matches!(error, DutyError::RetryLater(Cause::NodeRefused("NotANode"))));
	}

	#[test]
	fn an_error_of_another_kind_is_retried() {
		let error = classify(DispatchError::BadOrigin);
		assert!(matches!(error, DutyError::RetryLater(Cause::Dispatch(_))), "{error:?}");
		assert_eq!(error.label(), "dispatch");
	}
}
