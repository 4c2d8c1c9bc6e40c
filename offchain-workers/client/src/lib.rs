#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod anonymous;
pub mod download;
pub mod economy;
pub mod http;
pub mod keys;
pub mod operator;
pub mod publish;
pub mod queries;
pub mod replicas;
pub mod rpc;
pub mod validator;

pub use download::{download, get, DownloadReport, Payer, DEFAULT_STRIPE, RANGE_BYTES};
pub use keys::{parse_account, ss58, Signer};
pub use publish::{publish, Listing, PublishReport, Push};
pub use queries::{catalog, current_epoch, nodes, status, CatalogEntry, NodeView};
pub use replicas::{rendezvous_order, replicas_of, Replica};
pub use rpc::Rpc;

/// A client error, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl Error {
	/// An error from anything that displays.
	pub fn from_display(e: impl std::fmt::Display) -> Self {
		Error(e.to_string())
	}
}

impl std::fmt::Display for Error {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

impl std::error::Error for Error {}
