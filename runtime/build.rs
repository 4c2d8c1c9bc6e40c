//! Builds the wasm runtime blob (only when the `std` feature is on, that is for the node).

fn main() {
	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		// Lets wallets (and hardware wallets) verify what they sign against the metadata.
		.enable_metadata_hash("CLD", 12)
		.build();
}
