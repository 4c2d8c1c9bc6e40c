//! The one error type of the crate.

use std::{fmt, io};

/// What went wrong, and so what the caller should do.
///
/// The variants fall in four groups:
/// - [`Error::Authentication`]: the bytes are not what the key encrypted. Stop and use none
///   of the data (discard what a streaming [`decrypt`](crate::decrypt) already wrote).
/// - [`Error::Truncated`], [`Error::Extended`], [`Error::InvalidLength`]: the ciphertext has
///   the wrong length (lost or added segments, a short download). Fetch it again, and check
///   it against its content id.
/// - [`Error::MalformedHeader`], [`Error::UnsupportedVersion`], [`Error::Malformed`],
///   [`Error::LimitExceeded`], [`Error::InvalidPath`], [`Error::InvalidName`],
///   [`Error::InvalidRange`], [`Error::InvalidPublicKey`], [`Error::WeakSecret`]: the input
///   is not something this version reads or writes; fix the input (or upgrade).
/// - [`Error::Io`], [`Error::Rng`]: the environment failed; retrying may help.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
	/// Authentication failed: a wrong key, or bytes changed (header, body or tag), or
	/// segments reordered. Stop: do not use any of the data.
	Authentication,
	/// The ciphertext ends early: its last segment (or more) is missing, or the reader ended
	/// before the announced length. Fetch it again.
	Truncated,
	/// Bytes follow the ciphertext's last segment: something was appended. Fetch it again
	/// from its content id.
	Extended,
	/// No ciphertext of this format can have this length (in bytes).
	InvalidLength(u64),
	/// Not a bitcloud-vault header (too short, wrong magic, or another segment size).
	MalformedHeader(&'static str),
	/// A bitcloud-vault header of a version this crate does not read: upgrade.
	UnsupportedVersion(u8),
	/// Authenticated bytes that do not decode (an index or a share written by a buggy or
	/// newer writer).
	Malformed(&'static str),
	/// A bound of the format was exceeded.
	LimitExceeded {
		/// What was counted.
		what: &'static str,
		/// The most allowed.
		limit: u64,
		/// What was found (or asked for).
		actual: u64,
	},
	/// A path of the index is not relative, `/`-separated and canonical.
	InvalidPath {
		/// The path (at most [`MAX_PATH_LEN`](crate::MAX_PATH_LEN) bytes, lossily decoded).
		path: String,
		/// Why it is refused.
		reason: &'static str,
	},
	/// The name of a share is not a single file name.
	InvalidName(&'static str),
	/// A plaintext range outside the file, or ciphertext bytes that do not match it.
	InvalidRange(&'static str),
	/// The recipient's public key is a low-order point: anyone could open what is sealed
	/// to it.
	InvalidPublicKey,
	/// The secret is shorter than [`MIN_SECRET_LEN`](crate::MIN_SECRET_LEN) bytes (its
	/// length is given): pass the account's seed, not a password.
	WeakSecret(usize),
	/// The operating system's random number generator failed.
	Rng(rand_core::Error),
	/// Reading or writing failed.
	Io(io::Error),
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Error::Authentication => f.write_str(
				"authentication failed (wrong key, or the bytes were changed): \
				 stop and do not use any of the data",
			),
			Error::Truncated => f.write_str(
				"ciphertext truncated (its last segment or more is missing): fetch it again",
			),
			Error::Extended => f.write_str(
				"ciphertext extended (bytes follow its last segment): fetch it again by its id",
			),
			Error::InvalidLength(len) => {
				write!(f, "no bitcloud-vault ciphertext is {len} bytes long")
			},
			Error::MalformedHeader(reason) => {
				write!(f, "not a bitcloud-vault v1 header: {reason}")
			},
			Error::UnsupportedVersion(version) => write!(
				f,
				"bitcloud-vault version {version} is not supported (this crate reads version \
				 {}): upgrade",
				crate::VERSION
			),
			Error::Malformed(what) => write!(f, "authenticated but malformed: {what}"),
			Error::LimitExceeded { what, limit, actual } => {
				write!(f, "too large: {what} is {actual}, at most {limit}")
			},
			Error::InvalidPath { path, reason } => write!(f, "invalid path {path:?}: {reason}"),
			Error::InvalidName(reason) => write!(f, "invalid shared file name: {reason}"),
			Error::InvalidRange(reason) => write!(f, "invalid range: {reason}"),
			Error::InvalidPublicKey => f.write_str(
				"the recipient's public key is a low-order point: refusing to share with it",
			),
			Error::WeakSecret(len) => write!(
				f,
				"the secret is {len} bytes, at least {} are needed: pass the account's seed",
				crate::MIN_SECRET_LEN
			),
			Error::Rng(e) => write!(f, "the system's random number generator failed: {e}"),
			Error::Io(e) => write!(f, "I/O error: {e}"),
		}
	}
}

impl std::error::Error for Error {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			Error::Io(e) => Some(e),
			Error::Rng(e) => Some(e),
			_ => None,
		}
	}
}

impl From<io::Error> for Error {
	fn from(e: io::Error) -> Self {
		Error::Io(e)
	}
}

impl From<rand_core::Error> for Error {
	fn from(e: rand_core::Error) -> Self {
		Error::Rng(e)
	}
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
