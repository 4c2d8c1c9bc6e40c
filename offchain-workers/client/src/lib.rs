#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod anonymous;
pub mod download;
pub mod economy;
mod error;
pub mod http;
pub mod keys;
pub mod operator;
pub mod publish;
pub mod queries;
pub mod replicas;
pub mod rpc;
pub mod site;
pub mod store;
pub mod tree;
pub mod validator;

pub use download::{download, get, DownloadReport, Payer, DEFAULT_STRIPE, RANGE_BYTES};
pub use error::Error;
pub use keys::{parse_account, ss58, Signer};
pub use publish::{publish, Listing, PublishReport, Push};
pub use queries::{catalog, current_epoch, nodes, status, CatalogEntry, NodeView};
pub use replicas::{rendezvous_order, replicas_of, Replica};
pub use rpc::Rpc;
pub use store::Store;
