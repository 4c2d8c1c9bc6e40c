//! What personal storage's failures mean for the caller: the vault's errors and the leases
//! pallet's refusals as [`Error`]s, with what to do about them.

use crate::Error;
use bitcloud_vault::Error as VaultError;

/// What every failed authentication says: the bytes are not what this key encrypted.
pub const WRONG_KEY: &str = "wrong key or tampered data";

/// The vault's `error` while doing `what` (such as `decrypting docs/a.txt`), by what the
/// caller should do:
///
/// - [`VaultError::Authentication`] is [`Error::Input`]: the object was not encrypted with
///   this key (another account's index or file, a capsule sealed to another key) or its bytes
///   were changed before they were stored (downloads are verified against the content id, so
///   not on the way): check `--suri` / `--key-file`; fetching again will not help;
/// - refused input (a path, a name, a size past the format's bounds, a low-order key, a weak
///   secret) is [`Error::Input`];
/// - the environment's failures (`Io`, `Rng`) are [`Error::Local`];
/// - an object of the wrong length or format is [`Error::BadPeer`]: what was stored is not a
///   ciphertext this client reads.
pub fn vault_error(what: &str, error: VaultError) -> Error {
	match error {
		VaultError::Authentication => Error::Input(format!(
			"{what}: {WRONG_KEY}: it does not decrypt with the key this account has for it (it \
			 is another account's, or was changed before it was stored); check --suri or \
			 --key-file"
		)),
		VaultError::Io(_) | VaultError::Rng(_) => Error::Local(format!("{what}: {error}")),
		VaultError::InvalidPath { .. }
		| VaultError::InvalidName(_)
		| VaultError::InvalidRange(_)
		| VaultError::InvalidPublicKey
		| VaultError::LimitExceeded { .. }
		| VaultError::WeakSecret(_) => Error::Input(format!("{what}: {error}")),
		_ => Error::BadPeer(format!("{what}: {error}")),
	}
}

/// What to do about the leases pallet's refusals a store user meets, by the runtime's name.
const HINTS: [(&str, &str); 19] = [
	("NoOffer", "the moderator offers no storage: choose a moderator that does (--moderator)"),
	("ModeratorNotLive", "the moderator retired: choose another (--moderator)"),
	(
		"InsufficientBalance",
		"the account cannot hold the leases' cost (price × bytes × replicas × epochs) and keep \
		 its existential deposit: store or renew less, or give fewer --replicas or --epochs",
	),
	("TooManyBytes", "a file is larger than the largest object the chain leases"),
	("TooManyReplicas", "--replicas is above the chain's maximum"),
	("ZeroReplicas", "--replicas must be at least 1"),
	("ZeroEpochs", "--epochs must be at least 1"),
	(
		"TooManyLeases",
		"the account holds the most leases the chain allows: remove files first (bitcloud store \
		 rm)",
	),
	("ContentDenied", "the moderator denies this object: choose another moderator"),
	(
		"RecipientHasNoKey",
		"the recipient has published no encryption key: they must run `bitcloud store init` first",
	),
	("InboxFull", "the recipient's inbox is full: they must dismiss shares first"),
	("NotOwner", "the lease is not this account's: check --suri or --key-file"),
	("CostOverflow", "the cost does not fit in a balance: store less, or for fewer --epochs"),
	("EpochOverflow", "the lease would be paid past the chain's last epoch: give fewer --epochs"),
	(
		"UnknownLease",
		"the lease no longer exists (closed once its paid epochs and grace were over): store the \
		 file again (bitcloud store put)",
	),
	("LeaseEnded", "the lease was ended: store the file again (bitcloud store put)"),
	(
		"LeaseExpired",
		"the lease's grace period is over and it can only be closed: store the file again \
		 (bitcloud store put)",
	),
	(
		"UnknownShare",
		"no share with that id in that inbox: `bitcloud store inbox` lists yours; to take back \
		 one you sent, give its recipient as --to",
	),
	("NotSender", "only the share's sender can take it back: check --suri or the share id"),
];

/// `error` with what to do about it, when it is one of the refusals in [`HINTS`]
/// (`... Leases(NoOffer)`).
pub fn with_hint(error: Error) -> Error {
	let hint = HINTS
		.iter()
		.find(|(name, _)| error.message().trim_end().ends_with(&format!("Leases({name})")));
	match hint {
		Some((_, hint)) => error.map_message(|error| format!("{error}: {hint}")),
		None => error,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_wrong_key_says_so_and_is_the_users_to_fix() {
		let error = vault_error("opening the index", VaultError::Authentication);
		assert!(matches!(error, Error::Input(_)));
		assert!(error.message().starts_with("opening the index: wrong key or tampered data"));
	}

	#[test]
	fn vault_errors_map_by_what_to_do() {
		let io = std::io::Error::other("disk full");
		assert!(matches!(vault_error("x", VaultError::Io(io)), Error::Local(_)));
		assert!(matches!(vault_error("x", VaultError::InvalidPublicKey), Error::Input(_)));
		assert!(matches!(vault_error("x", VaultError::Truncated), Error::BadPeer(_)));
		assert!(matches!(vault_error("x", VaultError::UnsupportedVersion(9)), Error::BadPeer(_)));
	}

	#[test]
	fn refusals_get_their_hint() {
		let refused = Error::Refused("the chain refused a transaction: Leases(NoOffer)".into());
		let hinted = with_hint(refused);
		assert!(matches!(hinted, Error::Refused(_)));
		assert!(hinted.message().ends_with("choose a moderator that does (--moderator)"));
		let expired = with_hint(Error::Refused("refused: Leases(LeaseExpired)".into()));
		assert!(expired.message().ends_with("store the file again (bitcloud store put)"));
		let share = with_hint(Error::Refused("refused: Leases(UnknownShare)".into()));
		assert!(share.message().contains("`bitcloud store inbox` lists yours"), "{share}");
		let other = Error::Refused("the chain refused a transaction: Nodes(NoOffer)".into());
		assert_eq!(with_hint(other.clone()), other);
	}
}
