//! Fuzz target `signed_receipt`: see `bitcloud_fuzz::signed_receipt` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::signed_receipt(data);
});
