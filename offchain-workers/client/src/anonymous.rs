//! Anonymous downloads and publishing through onion circuits (`bitcloud-onion`): the relays
//! come from the chain (`NodesApi_onion_relays`), the transfer runs on a small tokio runtime
//! (or, for the anonymous site proxy, on its own: [`fetch_bounded`]).

use crate::{
	keys::parse_hex32,
	operator::{self, NodeUpdate},
	queries::NodeView,
	rpc::Rpc,
	Error, Signer,
};
use bitcloud_onion::{Anonymous, RelayInfo, TransferReport};
use bitcloud_primitives::{AccountId, ContentId};
use std::{
	fs::File,
	io::{BufWriter, Read, Write},
	path::Path,
};

/// The onion relays the chain lists (Active, carrying unmoderated traffic), with their
/// endpoints and onion keys.
pub fn relays(rpc: &Rpc) -> Result<Vec<RelayInfo>, Error> {
	let accounts: Vec<AccountId> = rpc.runtime_api("NodesApi_onion_relays", ())?;
	let mut relays = Vec::new();
	for account in accounts {
		let view: Option<NodeView> = rpc.runtime_api("NodesApi_node", &account)?;
		let Some(view) = view else { continue };
		if let Ok(endpoint) = String::from_utf8(view.endpoint) {
			relays.push(RelayInfo { account, endpoint, onion_key: view.onion_key });
		}
	}
	Ok(relays)
}

/// Parses an onion key as the node logs it: `0x` and 64 hex digits (x25519, 32 bytes).
pub fn parse_onion_key(text: &str) -> Result<[u8; 32], Error> {
	parse_hex32(text)
		.ok_or_else(|| Error::Input(format!("{text} is not an onion key: 0x and 64 hex digits")))
}

/// What `set_relay` makes of the signer's node registration.
pub enum RelayChoice {
	/// Carry unmoderated traffic.
	Carry {
		/// The node's x25519 onion key.
		onion_key: [u8; 32],
		/// The gateway URL to register (none: keep the registered one).
		endpoint: Option<String>,
	},
	/// Stop carrying unmoderated traffic (the onion key stays registered).
	Stop,
}

/// Updates the signer's node registration (`nodes.updateNode`, capacity unchanged) so that
/// clients use it as an onion relay, or no longer do.
pub fn set_relay(rpc: &Rpc, signer: &Signer, choice: RelayChoice) -> Result<(), Error> {
	let update = match choice {
		RelayChoice::Carry { onion_key, endpoint } => NodeUpdate {
			endpoint,
			onion_key: Some(onion_key),
			unmoderated: Some(true),
			..NodeUpdate::default()
		},
		RelayChoice::Stop => NodeUpdate { unmoderated: Some(false), ..NodeUpdate::default() },
	};
	operator::update_node(rpc, signer, &update)
}

/// The transfer settings for this chain: its relays and genesis, and the first path if the
/// user chose one.
pub fn anonymous(rpc: &Rpc, via: Option<Vec<AccountId>>) -> Result<Anonymous, Error> {
	let mut anonymous = Anonymous::new(relays(rpc)?, rpc.genesis()?.0);
	if let Some(via) = via {
		if via.is_empty() || via.len() > usize::from(bitcloud_onion::cell::MAX_DEPTH) {
			return Err(Error::Input(format!(
				"--via names 1 to {} relays",
				bitcloud_onion::cell::MAX_DEPTH
			)));
		}
		anonymous.hops = via.len();
		anonymous.first_path = Some(via);
	}
	Ok(anonymous)
}

/// A small runtime for onion transfers (and the anonymous site proxy).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
	tokio::runtime::Builder::new_current_thread()
		.enable_all()
		.build()
		.map_err(|e| Error::Local(format!("cannot start a runtime: {e}")))
}

/// Downloads `id` into `output` through circuits, verified against the id.
pub fn get(
	anonymous: &Anonymous,
	id: &ContentId,
	output: &Path,
	progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<TransferReport, Error> {
	let file = File::create(output)
		.map_err(|e| Error::Input(format!("cannot create {}: {e}", output.display())))?;
	let mut out = BufWriter::new(file);
	let result = runtime()?.block_on(anonymous.get(id, &mut out, progress));
	if result.is_err() {
		// Never leave unverified or partial bytes behind under the output's name.
		let _ = std::fs::remove_file(output);
	}
	// The transfer rebuilds circuits itself; when it gives up, the relays are down for now.
	result.map_err(|e| Error::Unavailable(format!("anonymous download failed: {e}")))
}

/// Downloads `id` into memory through circuits, verified against the id as it arrives (no
/// byte is kept before it is); refused, and stopped at once, when it is larger than `limit`.
pub async fn fetch_bounded(
	anonymous: &Anonymous,
	id: &ContentId,
	limit: u64,
) -> Result<(Vec<u8>, TransferReport), Error> {
	let mut out = Bounded { bytes: Vec::new(), limit, over: false };
	let result = anonymous.get(id, &mut out, &mut |_, _| {}).await;
	if out.over {
		return Err(Error::BadPeer(format!(
			"{} is larger than the {limit} bytes expected: refused",
			hex::encode(id)
		)));
	}
	let report =
		result.map_err(|e| Error::Unavailable(format!("anonymous download failed: {e}")))?;
	Ok((out.bytes, report))
}

/// Verified bytes kept in memory, at most `limit` of them: a write past it fails, which stops
/// the transfer.
struct Bounded {
	bytes: Vec<u8>,
	limit: u64,
	over: bool,
}

impl Write for Bounded {
	fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
		if (self.bytes.len() + data.len()) as u64 > self.limit {
			self.over = true;
			let why = format!("more than the {} bytes expected", self.limit);
			return Err(std::io::Error::other(why));
		}
		self.bytes.extend_from_slice(data);
		Ok(data.len())
	}

	fn flush(&mut self) -> std::io::Result<()> {
		Ok(())
	}
}

/// Publishes `file` as unmoderated content through circuits; returns its id and size.
pub fn publish(
	anonymous: &Anonymous,
	file: &Path,
) -> Result<(ContentId, u64, TransferReport), Error> {
	let (id, size) = crate::publish::content_id_of(file)?;
	let path = file.to_path_buf();
	let open = move || -> std::io::Result<Box<dyn Read + Send>> {
		Ok(Box::new(std::io::BufReader::new(File::open(&path)?)))
	};
	let report = runtime()?
		.block_on(anonymous.put(&id, size, &open))
		.map_err(|e| Error::Unavailable(format!("anonymous publishing failed: {e}")))?;
	Ok((id, size, report))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_fetch_past_its_bound_is_stopped() {
		let mut out = Bounded { bytes: Vec::new(), limit: 10, over: false };
		out.write_all(&[1; 6]).unwrap();
		out.write_all(&[2; 4]).unwrap();
		assert!(!out.over);
		let refused = out.write_all(&[3]).unwrap_err();
		assert!(refused.to_string().contains("more than the 10 bytes"), "{refused}");
		assert!(out.over);
		assert_eq!(out.bytes.len(), 10, "nothing past the bound is kept");
	}
}
