//! The client's error: a message for people, under what the caller should do about it.

/// A client error. The variant says what to do about it; its text is the whole message for
/// people (with the cause: the network's, the node's or the file system's own words), and is
/// what `Display` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
	/// The user's arguments or files are wrong (a bad id, account, amount or path, a key that
	/// is needed and not given): fix them and run again.
	Input(String),
	/// A node, gateway or the chain cannot answer now (connection refused or reset, timeout,
	/// `5xx`, a transaction not yet in a block): try again later, or elsewhere.
	Unavailable(String),
	/// A gateway or node answered wrongly (bytes that do not match the content id, a bad
	/// outboard, a malformed or self-contradicting answer): stop trusting it, use another.
	BadPeer(String),
	/// A gateway or node does not hold what was asked (`404`, an unknown block, no node
	/// serving the content): another may; asking this one again will not help.
	NotFound(String),
	/// The chain or a node said no (bandwidth quota used up, content denied or not listed, a
	/// request not authorised, a transaction that failed): stop; asking again, here or
	/// elsewhere, gets the same answer until something changes on chain.
	Refused(String),
	/// This machine failed (writing the output, starting a runtime): fix it and run again.
	Local(String),
}

impl Error {
	/// The message for people.
	pub fn message(&self) -> &str {
		match self {
			Error::Input(message)
			| Error::Unavailable(message)
			| Error::BadPeer(message)
			| Error::NotFound(message)
			| Error::Refused(message)
			| Error::Local(message) => message,
		}
	}

	/// The same error (same variant: same advice) with the message `rewrite` makes of it: for
	/// adding context or a hint.
	pub fn map_message(self, rewrite: impl FnOnce(&str) -> String) -> Self {
		let kind = match self {
			Error::Input(_) => Error::Input,
			Error::Unavailable(_) => Error::Unavailable,
			Error::BadPeer(_) => Error::BadPeer,
			Error::NotFound(_) => Error::NotFound,
			Error::Refused(_) => Error::Refused,
			Error::Local(_) => Error::Local,
		};
		kind(rewrite(self.message()))
	}
}

impl std::fmt::Display for Error {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(self.message())
	}
}

impl std::error::Error for Error {}
