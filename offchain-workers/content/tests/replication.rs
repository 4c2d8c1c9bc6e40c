//! Replication between two gateways, and a peer that lies.

mod common;

use bitcloud_content::Replicator;
use bitcloud_primitives::content_id;
use common::*;
use std::{io::Write, net::TcpListener, sync::Arc};

/// A "gateway" that answers every request with 200 and `body`.
fn liar(body: Vec<u8>) -> String {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let addr = listener.local_addr().unwrap();
	std::thread::spawn(move || {
		for stream in listener.incoming().take(16) {
			let Ok(mut stream) = stream else { continue };
			let mut head = [0u8; 4096];
			let _ = std::io::Read::read(&mut stream, &mut head);
			let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
			let _ = stream.write_all(&body);
		}
	});
	format!("http://{addr}")
}

#[test]
fn a_node_fetches_missing_catalog_items_verified_and_drops_denied_ones() {
	let item = bytes(2 * 1024 * 1024 + 3, 7);
	let small = b"small item".to_vec();
	let id = content_id(&item);

	// The peer (account 2) holds both and serves moderator A's catalog.
	let peer_chain = MemoryChain::default();
	peer_chain.subscribe(node(), moderator_a());
	peer_chain.list(moderator_a(), id, item.len() as u64, "video/mp4");
	peer_chain.list(moderator_a(), content_id(&small), small.len() as u64, "text/plain");
	let peer = TestGateway::start(peer_chain, &[&item, &small]);

	// Our node subscribes to A too and holds nothing; a liar and the peer serve A.
	let chain = Arc::new(MemoryChain::default());
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), id, item.len() as u64, "video/mp4");
	chain.list(moderator_a(), content_id(&small), small.len() as u64, "text/plain");
	chain.serve_from(moderator_a(), node(), "http://127.0.0.1:1".into());
	chain.serve_from(moderator_a(), account(3), liar(bytes(1000, 1)));
	chain.serve_from(moderator_a(), account(4), "http://127.0.0.1:1".into());
	chain.serve_from(moderator_a(), account(2), peer.url(""));
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = bitcloud_content::ContentStore::open(dir.path()).unwrap();
	let store = Arc::new(store);
	let replicator = Replicator::new(store.clone(), chain.clone(), node());

	let report = replicator.round().unwrap();
	assert_eq!(report.fetched, 2, "{report:?}");
	assert_eq!(report.rejected, 2, "the liar's bytes are refused for each item: {report:?}");
	assert_eq!(report.missing, 0);
	assert_eq!(store.reader(&id).unwrap().read_verified(0, item.len()).unwrap(), item);

	// Nothing left to do.
	let report = replicator.round().unwrap();
	assert_eq!(report, Default::default());

	// The catalog grows: the new item follows; a denied one is removed.
	let late = b"listed later".to_vec();
	chain.list(moderator_a(), content_id(&late), late.len() as u64, "text/plain");
	peer.store.import_bytes(&late).unwrap();
	peer.chain.list(moderator_a(), content_id(&late), late.len() as u64, "text/plain");
	chain.deny(moderator_a(), content_id(&small));
	let report = replicator.round().unwrap();
	assert_eq!(report.fetched, 1, "{report:?}");
	assert_eq!(report.removed, 1, "{report:?}");
	assert!(store.contains(&content_id(&late)));
	assert!(!store.contains(&content_id(&small)));
}

#[test]
fn a_peer_sending_too_many_bytes_is_cut_off() {
	let item = b"exactly this".to_vec();
	let chain = Arc::new(MemoryChain::default());
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(&item), item.len() as u64, "text/plain");
	chain.serve_from(moderator_a(), account(3), liar(bytes(10 * 1024 * 1024, 2)));
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = bitcloud_content::ContentStore::open(dir.path()).unwrap();
	let store = Arc::new(store);
	let report = Replicator::new(store.clone(), chain, node()).round().unwrap();
	assert_eq!((report.fetched, report.rejected, report.missing), (0, 1, 1));
	assert!(store.is_empty());
	assert!(std::fs::read_dir(dir.path().join("tmp")).unwrap().next().is_none());
}
