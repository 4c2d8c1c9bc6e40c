//! Read-only queries: catalogs, nodes, epochs and gateway status.

use crate::{http, rpc::Rpc, Error};
use bitcloud_primitives::AccountId;
use serde_json::Value;

/// A catalog item as `ModerationApi_catalog` returns it.
pub type CatalogEntry =
	pallet_moderation::CatalogEntry<AccountId, bitcloud_primitives::BlockNumber>;

/// A pending proposal as `ModerationApi_proposal` returns it.
pub type ProposalEntry = pallet_moderation::ProposalEntry<AccountId>;

/// A node as `NodesApi_node` returns it.
pub type NodeView = pallet_nodes::NodeView<
	AccountId,
	bitcloud_primitives::Balance,
	bitcloud_primitives::BlockNumber,
>;

/// The current epoch as `EpochsApi_current_epoch` returns it.
pub type EpochInfo = pallet_epochs::EpochInfo<bitcloud_primitives::BlockNumber>;

/// A moderator's catalog.
pub fn catalog(rpc: &Rpc, moderator: &AccountId) -> Result<Vec<CatalogEntry>, Error> {
	rpc.runtime_api("ModerationApi_catalog", moderator)
}

/// The nodes serving a moderator's catalog, with what the chain knows of them.
pub fn nodes(
	rpc: &Rpc,
	moderator: &AccountId,
) -> Result<Vec<(AccountId, Option<NodeView>)>, Error> {
	let accounts: Vec<AccountId> = rpc.runtime_api("NodesApi_nodes_serving", moderator)?;
	accounts
		.into_iter()
		.map(|account| {
			let view = rpc.runtime_api("NodesApi_node", &account)?;
			Ok((account, view))
		})
		.collect()
}

/// The current epoch.
pub fn current_epoch(rpc: &Rpc) -> Result<EpochInfo, Error> {
	rpc.runtime_api("EpochsApi_current_epoch", ())
}

/// A gateway's `/status`.
pub fn status(gateway: &str) -> Result<Value, Error> {
	let response = http::agent()
		.get(format!("{}/status", gateway.trim_end_matches('/')))
		.call()
		.map_err(|e| http::no_answer(&format!("gateway {gateway}"), e))?;
	if response.status() != 200 {
		return Err(http::refusal(response));
	}
	serde_json::from_slice(&http::read_body(response, 1 << 20)?).map_err(|e| {
		Error::BadPeer(format!("gateway {gateway} sent a status that is not JSON: {e}"))
	})
}
