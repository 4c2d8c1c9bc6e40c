//! The node's own RPC methods, added to those `sc-service` always serves (chain, state,
//! author, system, and the new JSON-RPC spec: `chainHead_v1`, `transaction_v1`,
//! `chainSpec_v1`, `archive_v1`).

use std::sync::Arc;

use bitcloud_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system::{System, SystemApiServer},
};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	/// The client, to read chain state.
	pub client: Arc<C>,
	/// The transaction pool, for `system_accountNextIndex`.
	pub pool: Arc<P>,
}

/// The RPC methods of a full node beyond sc-service's: `system_accountNextIndex`,
/// `system_dryRun` and `payment_queryInfo` / `payment_queryFeeDetails`.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: polkadot_sdk::substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ polkadot_sdk::pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;

	Ok(module)
}
