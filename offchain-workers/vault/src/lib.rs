#![doc = include_str!("../README.md")]
//!
//! # Use
//!
//! - [`VaultKeys::from_secret`] once per account; publish [`VaultKeys::public_key`].
//! - Per file: [`FileKey::generate`], [`encrypt`] the file, upload the ciphertext, and
//!   [`Index::insert`] an [`IndexEntry`] with the key; [`Index::seal`] and upload the index.
//! - To read a range: fetch the header (`0..HEADER_LEN`) and the bytes [`segments_for`]
//!   names, then [`decrypt_range`]. To read all: [`decrypt`].
//! - To share: [`seal_share`] to the recipient's published key; they [`open_share`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod error;
mod format;
mod index;
mod keys;
mod share;

pub use error::{Error, Result};
pub use format::{
	ciphertext_len, decrypt, decrypt_range, encrypt, plaintext_len, segments_for, Header,
	HEADER_LEN, MAGIC, MAX_PLAIN_LEN, MAX_SEGMENTS, NONCE_PREFIX_LEN, SEGMENT_LEN, TAG_LEN,
	VERSION,
};
pub use index::{
	validate_path, Index, IndexEntry, INDEX_SALT_LEN, INDEX_VERSION, MAX_ENTRIES,
	MAX_INDEX_PLAIN_LEN, MAX_PATH_LEN,
};
pub use keys::{
	FileKey, VaultKeys, KDF_INFO_INDEX, KDF_INFO_INDEX_SEAL, KDF_INFO_SHARE, KDF_SALT, KEY_LEN,
	MIN_SECRET_LEN,
};
pub use share::{
	open_share, seal_share, validate_name, SharedFile, MAX_CAPSULE_LEN, MAX_NAME_LEN,
	SEAL_OVERHEAD, SHARE_VERSION,
};
