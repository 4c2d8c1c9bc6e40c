//! Fuzz target `content_id`: see `bitcloud_fuzz::content_id` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::content_id(data);
});
