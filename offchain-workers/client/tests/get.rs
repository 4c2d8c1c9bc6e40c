//! Verified downloads against a real gateway on 127.0.0.1:0, and against a lying one.

use bao_tree::{io::outboard::PostOrderMemOutboard, BlockSize};
use bitcloud_client::get;
use bitcloud_content::{
	ChainError, ChainView, ChallengeBoard, ContentConfig, ContentService, ItemMeta, Metrics,
};
use bitcloud_primitives::{content_id, AccountId, ContentId};
use std::{
	io::{Read, Write},
	net::TcpListener,
	sync::Arc,
};

struct OneCatalog(Vec<(ContentId, ItemMeta)>);

impl ChainView for OneCatalog {
	fn subscriptions(&self, _: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		Ok(vec![AccountId::new([2; 32])])
	}
	fn catalog(&self, _: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		Ok(self.0.clone())
	}
	fn catalog_item(&self, _: &AccountId, id: &ContentId) -> Result<Option<ItemMeta>, ChainError> {
		Ok(self.0.iter().find(|(i, _)| i == id).map(|(_, m)| m.clone()))
	}
	fn is_denied(&self, _: &AccountId, _: &ContentId) -> Result<bool, ChainError> {
		Ok(false)
	}
}

fn bytes(len: usize) -> Vec<u8> {
	(0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A gateway holding and listing `items`.
fn gateway(items: &[&[u8]]) -> (String, tempfile::TempDir, tokio::runtime::Runtime) {
	let (url, dir, runtime, _, _) = gateway_with_board(items);
	(url, dir, runtime)
}

/// [`gateway`], with the board of its storage challenges.
fn gateway_with_board(
	items: &[&[u8]],
) -> (String, tempfile::TempDir, tokio::runtime::Runtime, Arc<ChallengeBoard>, Metrics) {
	let dir = tempfile::tempdir().unwrap();
	let catalog = items
		.iter()
		.map(|b| {
			let meta =
				ItemMeta { size: b.len() as u64, title: "t".into(), mime_type: "x/y".into() };
			(content_id(b), meta)
		})
		.collect();
	let config = ContentConfig {
		dir: dir.path().join("store"),
		gateway_addr: "127.0.0.1:0".parse().unwrap(),
		node: Some(AccountId::new([1; 32])),
		import: Vec::new(),
		version: "test".into(),
		replicate_every: None,
	};
	let service = ContentService::prepare(config, Arc::new(OneCatalog(catalog)), None).unwrap();
	for item in items {
		service.store().import_bytes(item).unwrap();
	}
	let url = format!("http://{}", service.local_addr());
	let board = service.challenges().clone();
	let metrics = service.metrics().clone();
	let runtime = tokio::runtime::Runtime::new().unwrap();
	runtime.spawn(service.run());
	(url, dir, runtime, board, metrics)
}

#[test]
fn get_writes_verified_content_of_any_size() {
	let items = [bytes(0), bytes(1), bytes(1025), bytes(3 * 1024 * 1024 + 17)];
	let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
	let (url, dir, _runtime) = gateway(&refs);
	for (n, item) in items.iter().enumerate() {
		let out = dir.path().join(format!("out-{n}"));
		let size = get(&url, &content_id(item), &out).unwrap();
		assert_eq!(size, item.len() as u64);
		assert_eq!(&std::fs::read(&out).unwrap(), item);
	}
	// Unknown content: the gateway's refusal, no file.
	let out = dir.path().join("unknown");
	let e = get(&url, &content_id(b"nope"), &out).unwrap_err();
	assert!(e.0.contains("404"), "{e}");
	assert!(!out.exists());
}

/// A gateway that sends a genuine outboard but flips a byte in every range it serves.
fn liar(content: Vec<u8>) -> String {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let addr = listener.local_addr().unwrap();
	let outboard = PostOrderMemOutboard::create(&content, BlockSize::from_chunk_log(4)).data;
	std::thread::spawn(move || {
		for stream in listener.incoming().take(8) {
			let Ok(mut stream) = stream else { continue };
			let mut head = vec![0u8; 8192];
			let n = stream.read(&mut head).unwrap_or(0);
			let head = String::from_utf8_lossy(&head[..n]).to_string();
			let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
			if path.ends_with("/outboard") {
				let _ = write!(
					stream,
					"HTTP/1.1 200 OK\r\nbitcloud-content-size: {}\r\nbitcloud-chunk-group-log: 4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
					content.len(),
					outboard.len()
				);
				let _ = stream.write_all(&outboard);
				continue;
			}
			let range = head
				.lines()
				.find_map(|l| {
					l.to_ascii_lowercase().strip_prefix("range: bytes=").map(str::to_string)
				})
				.unwrap_or_default();
			let (a, b) = range.trim().split_once('-').unwrap_or(("0", "0"));
			let (a, b): (usize, usize) = (a.parse().unwrap_or(0), b.parse().unwrap_or(0));
			let mut body = content[a..=b].to_vec();
			let middle = body.len() / 2;
			body[middle] ^= 1;
			let _ = write!(
				stream,
				"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {a}-{b}/{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
				content.len(),
				body.len()
			);
			let _ = stream.write_all(&body);
		}
	});
	format!("http://{addr}")
}

#[test]
fn get_refuses_bytes_that_do_not_match_the_id() {
	let content = bytes(100_000);
	let url = liar(content.clone());
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("out");
	let e = get(&url, &content_id(&content), &out).unwrap_err();
	assert!(e.0.contains("do not match the content id"), "{e}");
	assert!(!out.exists());
	assert!(!out.with_extension("part").exists());
}

fn replica(gateway: &str) -> bitcloud_client::Replica {
	bitcloud_client::Replica { node: None, gateway: gateway.to_string() }
}

#[test]
fn a_download_finishes_from_another_replica_when_one_lies_or_is_down() {
	let content = bytes(5 * 1024 * 1024 + 3);
	let (honest, dir, _runtime) = gateway(&[&content]);
	let liar = liar(content.clone());
	// Nothing listens on the first address.
	let down = {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		format!("http://{}", listener.local_addr().unwrap())
	};
	let out = dir.path().join("out");
	let mut seen = Vec::new();
	let report = bitcloud_client::download(
		vec![replica(&down), replica(&liar), replica(&honest)],
		&content_id(&content),
		&out,
		2,
		None,
		&mut |done, size| seen.push((done, size)),
	)
	.unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), content);
	assert_eq!(report.size, content.len() as u64);
	// The dead gateway never got going; the liar was caught on its first range.
	let failed: Vec<_> = report.failures.iter().map(|(r, why)| (r.gateway.clone(), why)).collect();
	assert_eq!(failed.len(), 2, "{failed:?}");
	assert!(failed[0].0 == down && failed[0].1.contains("unreachable"), "{failed:?}");
	assert!(failed[1].0 == liar && failed[1].1.contains("do not match"), "{failed:?}");
	// Every verified byte came from the honest gateway, and progress reached the end.
	let from_honest: u64 =
		report.served.iter().filter(|(r, _)| r.gateway == honest).map(|(_, n)| n).sum();
	assert_eq!(from_honest, content.len() as u64);
	assert_eq!(seen.last(), Some(&(content.len() as u64, content.len() as u64)));
}

#[test]
fn ranges_are_spread_over_the_striped_replicas() {
	let content = bytes(4 * 1024 * 1024);
	let (first, dir, _a) = gateway(&[&content]);
	let (second, _dir2, _b) = gateway(&[&content]);
	let out = dir.path().join("out");
	let report = bitcloud_client::download(
		vec![replica(&first), replica(&second)],
		&content_id(&content),
		&out,
		2,
		None,
		&mut |_, _| {},
	)
	.unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), content);
	assert!(report.failures.is_empty());
	let served: Vec<u64> = report.served.iter().map(|(_, n)| *n).collect();
	assert_eq!(served, vec![2 * 1024 * 1024, 2 * 1024 * 1024]);
}

#[test]
fn when_every_replica_fails_there_is_no_file_and_every_reason_is_given() {
	let content = bytes(100_000);
	let liar = liar(content.clone());
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("out");
	let e = bitcloud_client::download(
		vec![replica(&liar)],
		&content_id(&content),
		&out,
		2,
		None,
		&mut |_, _| {},
	)
	.unwrap_err();
	assert!(e.0.contains("no replica could serve") && e.0.contains(&liar), "{e}");
	assert!(!out.exists() && !out.with_extension("part").exists());
	let e = bitcloud_client::download(vec![], &content_id(&content), &out, 1, None, &mut |_, _| {})
		.unwrap_err();
	assert!(e.0.contains("no node serves"), "{e}");
}

#[test]
fn a_download_waits_out_a_storage_challenge_on_its_range() {
	let item = bytes(200 * 1024);
	let (url, dir, _runtime, board, metrics) = gateway_with_board(&[&item]);
	let closes = std::time::Instant::now() + std::time::Duration::from_secs(2);
	board.update([(content_id(&item), vec![150], closes)]);
	let out = dir.path().join("out");
	assert_eq!(get(&url, &content_id(&item), &out).unwrap(), item.len() as u64);
	assert_eq!(std::fs::read(&out).unwrap(), item);
	// It was refused first, and asked again after the challenge closed.
	assert!(metrics.challenged_ranges.with_label_values(&["refused_unpaid"]).get() >= 1);
}
