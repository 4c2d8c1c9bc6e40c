//! The runtime APIs: what the node, wallets and dapps may ask the runtime.

use crate::{
	opaque::SessionKeys, AccountId, Aura, Balance, Bandwidth, Block, BlockNumber, Epochs,
	Executive, Grandpa, InherentDataExt, Leases, Moderation, Nodes, Nonce, Rewards, Runtime,
	RuntimeCall, RuntimeGenesisConfig, StorageLaw, System, TransactionPayment, VERSION,
};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		genesis_builder_helper::{build_state, get_preset},
		weights::Weight,
	},
	pallet_transaction_payment::{FeeDetails, RuntimeDispatchInfo},
	sp_api::{self, impl_runtime_apis},
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::{self, AuthorityId as GrandpaId},
	sp_core::{crypto::KeyTypeId, OpaqueMetadata},
	sp_genesis_builder,
	sp_inherents::{CheckInherentsResult, InherentData},
	sp_runtime::{
		traits::{Block as BlockT, NumberFor},
		transaction_validity::{TransactionSource, TransactionValidity},
		ApplyExtrinsicResult,
	},
	sp_session::OpaqueGeneratedSessionKeys,
	sp_version::RuntimeVersion,
	*,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(
			header: &<Block as BlockT>::Header,
		) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: InherentData,
		) -> CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Equivocation reports need pallet-session's key ownership proofs, which a
			// solochain with a fixed authority set does not keep.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance>
		for Runtime
	{
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(uxt: <Block as BlockT>::Extrinsic, len: u32) -> FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(call: RuntimeCall, len: u32) -> RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(call: RuntimeCall, len: u32) -> FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_nodes::runtime_api::NodesApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn node(node: AccountId) -> Option<pallet_nodes::NodeView<AccountId, Balance, BlockNumber>> {
			Nodes::node_view(&node)
		}

		fn nodes_serving(moderator: AccountId) -> Vec<AccountId> {
			Nodes::nodes_serving(&moderator)
		}

		fn onion_relays() -> Vec<AccountId> {
			Nodes::onion_relays()
		}

		fn standing(node: AccountId) -> Option<bitcloud_primitives::Standing> {
			Nodes::standing_of(&node)
		}
	}

	#[api_version(2)]
	impl pallet_moderation::runtime_api::ModerationApi<Block, AccountId, BlockNumber> for Runtime {
		fn catalog(
			moderator: AccountId,
		) -> Vec<pallet_moderation::CatalogEntry<AccountId, BlockNumber>> {
			Moderation::catalog_view(&moderator)
		}

		fn catalog_item(
			moderator: AccountId,
			content: bitcloud_primitives::ContentId,
		) -> Option<pallet_moderation::CatalogEntry<AccountId, BlockNumber>> {
			Moderation::catalog_item_view(&moderator, &content)
		}

		fn is_denied(moderator: AccountId, content: bitcloud_primitives::ContentId) -> bool {
			Moderation::is_content_denied(&moderator, &content)
		}

		fn proposal(
			moderator: AccountId,
			content: bitcloud_primitives::ContentId,
		) -> Option<pallet_moderation::ProposalEntry<AccountId>> {
			Moderation::proposal_view(&moderator, &content)
		}
	}

	impl pallet_storage_law::runtime_api::StorageLawApi<Block, AccountId, BlockNumber> for Runtime {
		fn pending_challenges(
			node: AccountId,
		) -> Vec<(pallet_storage_law::ChallengeId, pallet_storage_law::Challenge<AccountId, BlockNumber>)> {
			StorageLaw::pending_challenges(&node)
		}

		fn standing(node: AccountId) -> Option<pallet_storage_law::StandingView> {
			StorageLaw::standing_view(&node)
		}

		fn open_challenges() -> Vec<(
			bitcloud_primitives::ContentId,
			bitcloud_primitives::ChallengeChunks,
			BlockNumber,
		)> {
			StorageLaw::open_challenges()
		}
	}

	impl pallet_leases::runtime_api::LeasesApi<Block, AccountId, Balance> for Runtime {
		fn lease(id: bitcloud_primitives::LeaseId) -> Option<pallet_leases::LeaseView<AccountId, Balance>> {
			Leases::lease_view(id)
		}

		fn leases_of(owner: AccountId) -> Vec<bitcloud_primitives::LeaseId> {
			Leases::leases_of(&owner)
		}

		fn leases_of_content(content: bitcloud_primitives::ContentId) -> Vec<bitcloud_primitives::LeaseId> {
			Leases::leases_of_content(&content)
		}

		fn kept_by(node: AccountId) -> Vec<bitcloud_primitives::LeaseId> {
			Leases::kept_by(&node)
		}

		fn offer(moderator: AccountId) -> Option<Balance> {
			Leases::offer(&moderator)
		}

		fn quote(
			moderator: Option<AccountId>,
			bytes: u64,
			replicas: u32,
			epochs: bitcloud_primitives::EpochIndex,
		) -> Result<Balance, sp_runtime::DispatchError> {
			Leases::quote_amount(moderator.as_ref(), bytes, replicas, epochs)
		}

		fn encryption_key(account: AccountId) -> Option<pallet_leases::EncryptionKey> {
			Leases::encryption_key(&account)
		}

		fn index(account: AccountId) -> Option<bitcloud_primitives::LeaseId> {
			Leases::index_of(&account)
		}

		fn shares(account: AccountId) -> Vec<pallet_leases::ShareView<AccountId, Balance>> {
			Leases::shares_of(&account)
		}
	}

	impl pallet_epochs::runtime_api::EpochsApi<Block, BlockNumber> for Runtime {
		fn current_epoch() -> pallet_epochs::EpochInfo<BlockNumber> {
			Epochs::epoch_info()
		}

		fn epoch_start(epoch: bitcloud_primitives::EpochIndex) -> Option<BlockNumber> {
			<Epochs as bitcloud_primitives::EpochClock<BlockNumber>>::epoch_start(epoch)
		}
	}

	impl pallet_bandwidth::runtime_api::BandwidthApi<Block, AccountId, Balance> for Runtime {
		fn receipt_context() -> (bitcloud_primitives::EpochIndex, sp_core::H256) {
			(
				<Epochs as bitcloud_primitives::EpochClock<BlockNumber>>::current_epoch(),
				Bandwidth::genesis_hash(),
			)
		}

		fn client_quota(
			client: AccountId,
			epoch: bitcloud_primitives::EpochIndex,
		) -> pallet_bandwidth::ClientQuota<Balance> {
			Bandwidth::client_quota(&client, epoch)
		}

		fn claimed(
			epoch: bitcloud_primitives::EpochIndex,
			node: AccountId,
			client: AccountId,
			moderator: Option<AccountId>,
		) -> u64 {
			Bandwidth::claimed(epoch, &node, &client, &moderator)
		}

		fn epoch_totals(epoch: bitcloud_primitives::EpochIndex) -> pallet_bandwidth::EpochSummary {
			Bandwidth::epoch_summary(epoch)
		}

		fn node_bytes(
			node: AccountId,
			epoch: bitcloud_primitives::EpochIndex,
		) -> pallet_bandwidth::NodeBytes<AccountId> {
			Bandwidth::node_figures(epoch, &node)
		}

		fn moderator_bytes(
			moderator: Option<AccountId>,
			epoch: bitcloud_primitives::EpochIndex,
		) -> u64 {
			pallet_bandwidth::ModeratorBytes::<Runtime>::get(epoch, moderator)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			crate::benchmarks::metadata(extra)
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			crate::benchmarks::dispatch(config)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// A failed pre/post check must stop try-runtime right here, with its backtrace.
			let weight = Executive::try_runtime_upgrade(checks)
				.expect("runtime upgrade checks failed");
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try-runtime block execution failed")
		}
	}

	impl pallet_rewards::runtime_api::RewardsApi<Block, AccountId, Balance> for Runtime {
		fn pending_rewards(
			node: AccountId,
			epoch: bitcloud_primitives::EpochIndex,
		) -> pallet_rewards::PendingRewards<AccountId, Balance> {
			Rewards::pending_rewards(&node, epoch)
		}

		fn epoch_totals(epoch: bitcloud_primitives::EpochIndex) -> pallet_rewards::EpochSummary<Balance> {
			Rewards::epoch_summary(epoch)
		}

		fn emission(epoch: bitcloud_primitives::EpochIndex) -> Balance {
			Rewards::emission(epoch)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_presets::preset_names()
		}
	}
}
