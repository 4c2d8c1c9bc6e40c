//! Fuzz target `site_manifest`: see `bitcloud_fuzz::site_manifest` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::site_manifest(data);
});
