//! Fuzz target `handshake`: see `bitcloud_fuzz::handshake` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::handshake(data);
});
