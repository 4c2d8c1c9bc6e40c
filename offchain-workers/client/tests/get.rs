//! Verified downloads against a real gateway on 127.0.0.1:0, and against a lying one.

use bao_tree::{io::outboard::PostOrderMemOutboard, BlockSize};
use bitcloud_client::get;
use bitcloud_content::{ChainError, ChainView, ContentConfig, ContentService, ItemMeta};
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
	let runtime = tokio::runtime::Runtime::new().unwrap();
	runtime.spawn(service.run());
	(url, dir, runtime)
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
