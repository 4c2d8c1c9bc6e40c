//! Fuzz target `cell`: see `bitcloud_fuzz::cell` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::cell(data);
});
