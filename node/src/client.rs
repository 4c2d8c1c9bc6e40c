//! The types of the node's client, backend and transaction pool, named once for the chain
//! assembly (`service`) and for everything that runs on top of it (content services, duties,
//! RPC), so that those never import the assembly back.

use bitcloud_runtime::{opaque::Block, RuntimeApi};
use polkadot_sdk::{sc_executor::WasmExecutor, sc_service, sc_transaction_pool, sp_io};

/// The client of a full node: blocks, state and the wasm runtime executor.
pub type FullClient =
	sc_service::TFullClient<Block, RuntimeApi, WasmExecutor<sp_io::SubstrateHostFunctions>>;

/// The database backend of a full node.
pub type FullBackend = sc_service::TFullBackend<Block>;

/// The node's transaction pool.
pub type TransactionPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;

/// The error the transaction pool gives when it does not take a transaction.
pub type PoolError =
	<TransactionPool as polkadot_sdk::sc_transaction_pool_api::TransactionPool>::Error;
