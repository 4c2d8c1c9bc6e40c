#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod cell;
pub mod circuit;
pub mod directory;
pub mod exit;
pub mod link;
pub mod local;
pub mod noise;
pub mod payment;
pub mod relay;
pub mod route;
pub mod transfer;
pub mod verify;

pub use circuit::{BuildError, Circuit, CircuitError};
pub use directory::{choose_path, Directory, RelayInfo};
pub use noise::OnionSecret;
pub use payment::{ExitPayer, KeyPayer};
pub use relay::{CircuitRecord, Limits, Relay, RelayConfig, RelayStats};
pub use route::router;
pub use transfer::{Anonymous, TransferError, TransferReport};
