//! Signed extrinsics built the way wallets build them, for the programs that sign with the
//! runtime's own types: the content node's duties, the `bitcloud` client and the tests.
//! Kept next to [`TxExtension`] so that the two change together.

use crate::{Address, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic};
use codec::Encode;
use polkadot_sdk::{
	frame_metadata_hash_extension::CheckMetadataHash,
	frame_system,
	pallet_transaction_payment::ChargeTransactionPayment,
	sp_core::{sr25519, H256},
	sp_runtime::{generic::Era, AccountId32, MultiSignature},
};

/// What a signature commits to besides the call: the chain and the signer's nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningContext {
	/// The signer's next nonce.
	pub nonce: u32,
	/// The chain's genesis hash.
	pub genesis: H256,
	/// `specVersion` of the runtime the chain runs.
	pub spec_version: u32,
	/// `transactionVersion` of the runtime the chain runs.
	pub transaction_version: u32,
}

/// `call` signed by `signer` through `sign` (sr25519 over the signed payload, which is
/// hashed first when longer than 256 bytes): immortal era, no tip, no metadata hash.
pub fn signed_extrinsic(
	call: RuntimeCall,
	signer: AccountId32,
	context: SigningContext,
	sign: impl FnOnce(&[u8]) -> sr25519::Signature,
) -> UncheckedExtrinsic {
	let signed = try_signed_extrinsic(call, signer, context, |payload| {
		Ok::<_, core::convert::Infallible>(sign(payload))
	});
	match signed {
		Ok(xt) => xt,
		Err(never) => match never {},
	}
}

/// [`signed_extrinsic`] with a signer that can fail (a keystore).
pub fn try_signed_extrinsic<E>(
	call: RuntimeCall,
	signer: AccountId32,
	context: SigningContext,
	sign: impl FnOnce(&[u8]) -> Result<sr25519::Signature, E>,
) -> Result<UncheckedExtrinsic, E> {
	let extension: TxExtension = (
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(context.nonce),
		frame_system::CheckWeight::new(),
		ChargeTransactionPayment::from(0),
		CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	// What the extensions add to the signed payload without putting it in the extrinsic.
	let implicit = (
		(),
		(),
		context.spec_version,
		context.transaction_version,
		context.genesis,
		context.genesis,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(sign)?;
	Ok(UncheckedExtrinsic::new_signed(
		call,
		Address::Id(signer),
		MultiSignature::Sr25519(signature),
		extension,
	))
}
