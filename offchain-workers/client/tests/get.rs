//! Verified downloads against a real gateway on 127.0.0.1:0, and against scripted ones that
//! lie, hang up, are busy or refuse: what each failure makes the download do.

use bao_tree::{io::outboard::PostOrderMemOutboard, BlockSize};
use bitcloud_client::{download::MAX_RETRIES, get, Error};
use bitcloud_content::{
	protocol::{CHUNK_GROUP_LOG_HEADER, CONTENT_SIZE_HEADER, QUOTA_LEFT_HEADER},
	ChallengeBoard, ContentConfig, ContentService, ItemMeta, Metrics,
};
use bitcloud_primitives::{content_id, AccountId};
use common::OneCatalog;
use std::{
	io::{BufRead, BufReader, Write},
	net::{TcpListener, TcpStream},
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	},
};

mod common;

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
	assert!(e.to_string().contains("404"), "{e}");
	assert!(matches!(e, Error::NotFound(_)), "{e:?}");
	assert!(!out.exists());
}

/// What a scripted gateway does with a range request.
#[derive(Clone, Copy, Debug)]
enum Reply {
	/// The bytes asked for.
	Serve,
	/// The bytes asked for, one of them flipped.
	FlipByte,
	/// Closes the connection without an answer (as a crashing or restarting gateway does).
	HangUp,
	/// `503` without `Retry-After`.
	Busy,
	/// `402`: the client's quota is used up.
	NoQuota,
}

/// A gateway that sends the genuine outboard of `content` (16 KiB chunk groups) and answers
/// its `n`th range request (from 0) as `script(n)` says; its URL, and the count of range
/// requests it had.
fn scripted(content: Vec<u8>, script: fn(usize) -> Reply) -> (String, Arc<AtomicUsize>) {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", listener.local_addr().unwrap());
	let ranges = Arc::new(AtomicUsize::new(0));
	let counted = ranges.clone();
	let outboard = PostOrderMemOutboard::create(&content, BlockSize::from_chunk_log(4)).data;
	std::thread::spawn(move || {
		for stream in listener.incoming() {
			let Ok(mut stream) = stream else { continue };
			let (path, range) = read_request(&stream);
			if path.ends_with("/outboard") {
				let headers = [
					(CONTENT_SIZE_HEADER, content.len().to_string()),
					(CHUNK_GROUP_LOG_HEADER, "4".into()),
				];
				respond(&mut stream, "200 OK", &headers, &outboard);
				continue;
			}
			let (a, b) = range.unwrap_or((0, content.len() - 1));
			let mut body = content[a..=b].to_vec();
			match script(counted.fetch_add(1, Ordering::SeqCst)) {
				Reply::Serve => {},
				Reply::FlipByte => {
					let middle = body.len() / 2;
					body[middle] ^= 1;
				},
				Reply::HangUp => continue,
				Reply::Busy => {
					respond(&mut stream, "503 Service Unavailable", &[], b"busy, try again");
					continue;
				},
				Reply::NoQuota => {
					let headers = [(QUOTA_LEFT_HEADER, "0".to_string())];
					respond(&mut stream, "402 Payment Required", &headers, b"quota used up");
					continue;
				},
			}
			let headers = [("Content-Range", format!("bytes {a}-{b}/{}", content.len()))];
			respond(&mut stream, "206 Partial Content", &headers, &body);
		}
	});
	(url, ranges)
}

/// The path of the request on `stream` and its byte range, if it asks for one.
fn read_request(stream: &TcpStream) -> (String, Option<(usize, usize)>) {
	let mut lines = BufReader::new(stream).lines().map_while(Result::ok);
	let path = lines.next().unwrap_or_default().split_whitespace().nth(1).unwrap_or("").to_string();
	let range = lines
		.take_while(|line| !line.is_empty())
		.find_map(|line| {
			line.to_ascii_lowercase().strip_prefix("range: bytes=").map(str::to_string)
		})
		.and_then(|range| {
			let (a, b) = range.trim().split_once('-')?;
			Some((a.parse().ok()?, b.parse().ok()?))
		});
	(path, range)
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
	let mut head = format!("HTTP/1.1 {status}\r\n");
	for (name, value) in headers {
		head += &format!("{name}: {value}\r\n");
	}
	head += &format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len());
	let _ = stream.write_all(head.as_bytes());
	let _ = stream.write_all(body);
}

/// A gateway that sends a genuine outboard but flips a byte in every range it serves.
fn liar(content: Vec<u8>) -> String {
	scripted(content, |_| Reply::FlipByte).0
}

#[test]
fn get_refuses_bytes_that_do_not_match_the_id() {
	let content = bytes(100_000);
	let url = liar(content.clone());
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("out");
	let e = get(&url, &content_id(&content), &out).unwrap_err();
	assert!(e.to_string().contains("do not match the content id"), "{e}");
	assert!(matches!(e, Error::BadPeer(_)), "{e:?}");
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
	let failed = dropped(&report);
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
	assert!(
		e.to_string().contains("no replica could serve") && e.to_string().contains(&liar),
		"{e}"
	);
	assert!(matches!(e, Error::BadPeer(_)), "{e:?}");
	assert!(!out.exists() && !out.with_extension("part").exists());
	let e = bitcloud_client::download(vec![], &content_id(&content), &out, 1, None, &mut |_, _| {})
		.unwrap_err();
	assert!(e.to_string().contains("no node serves"), "{e}");
	assert!(matches!(e, Error::NotFound(_)), "{e:?}");
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

/// Downloads `content` from `gateways`, one at a time in order; checks that the file is the
/// content, or that nothing is left behind when the download fails.
fn one_at_a_time(
	gateways: &[&str],
	content: &[u8],
) -> Result<bitcloud_client::DownloadReport, Error> {
	let dir = tempfile::tempdir().unwrap();
	let out = dir.path().join("out");
	let replicas = gateways.iter().map(|gateway| replica(gateway)).collect();
	let result =
		bitcloud_client::download(replicas, &content_id(content), &out, 1, None, &mut |_, _| {});
	match &result {
		Ok(_) => assert_eq!(std::fs::read(&out).unwrap(), content),
		Err(_) => assert!(!out.exists() && !out.with_extension("part").exists()),
	}
	result
}

/// The gateways `report` dropped, with why.
fn dropped(report: &bitcloud_client::DownloadReport) -> Vec<(&str, &str)> {
	report.failures.iter().map(|(r, why)| (r.gateway.as_str(), why.as_str())).collect()
}

/// Verified bytes `report` says `gateway` served.
fn served_by(report: &bitcloud_client::DownloadReport, gateway: &str) -> u64 {
	report.served.iter().filter(|(r, _)| r.gateway == gateway).map(|(_, n)| n).sum()
}

#[test]
fn an_unavailable_replica_is_asked_again_and_the_download_finishes_from_it() {
	let content = bytes(3 * 1024 * 1024 + 5);
	// The first range request finds the gateway hanging up, the second busy; then it serves.
	let (flaky, asked) = scripted(content.clone(), |n| match n {
		0 => Reply::HangUp,
		1 => Reply::Busy,
		_ => Reply::Serve,
	});
	let (spare, spare_asked) = scripted(content.clone(), |_| Reply::Serve);
	let report = one_at_a_time(&[&flaky, &spare], &content).unwrap();
	assert!(report.failures.is_empty(), "{:?}", report.failures);
	assert_eq!(served_by(&report, &flaky), content.len() as u64);
	// Four ranges, the first asked three times; the spare was never needed.
	assert_eq!(asked.load(Ordering::SeqCst), 6);
	assert_eq!(spare_asked.load(Ordering::SeqCst), 0);
}

#[test]
fn a_replica_that_stays_unavailable_is_dropped_after_its_retries() {
	let content = bytes(100_000);
	let (down, asked) = scripted(content.clone(), |_| Reply::Busy);
	let (spare, _) = scripted(content.clone(), |_| Reply::Serve);
	let report = one_at_a_time(&[&down, &spare], &content).unwrap();
	assert_eq!(asked.load(Ordering::SeqCst), 1 + MAX_RETRIES as usize);
	let failed = dropped(&report);
	assert!(failed.len() == 1 && failed[0].0 == down && failed[0].1.contains("503"), "{failed:?}");
	assert_eq!(served_by(&report, &spare), content.len() as u64);
}

#[test]
fn a_wrong_byte_drops_the_replica_at_once_and_the_range_comes_from_the_next() {
	let content = bytes(2 * 1024 * 1024 + 9);
	// Honest for the first range, then a flipped byte.
	let (liar, asked) = scripted(content.clone(), |n| match n {
		0 => Reply::Serve,
		_ => Reply::FlipByte,
	});
	let (next, _) = scripted(content.clone(), |_| Reply::Serve);
	let report = one_at_a_time(&[&liar, &next], &content).unwrap();
	// The lie was not asked for again: at most one request per range (three), the last one
	// possibly asked while the lie was on its way.
	assert!((2..=3).contains(&asked.load(Ordering::SeqCst)), "{asked:?}");
	let failed = dropped(&report);
	assert!(failed.len() == 1 && failed[0].0 == liar, "{failed:?}");
	assert!(failed[0].1.contains("do not match the content id"), "{failed:?}");
	assert_eq!(served_by(&report, &liar), 1024 * 1024);
	assert_eq!(served_by(&report, &next), content.len() as u64 - 1024 * 1024);
}

#[test]
fn a_refusal_stops_the_download_without_asking_another_replica() {
	let content = bytes(2 * 1024 * 1024);
	let (broke, asked) = scripted(content.clone(), |n| match n {
		0 => Reply::Serve,
		_ => Reply::NoQuota,
	});
	let (next, next_asked) = scripted(content.clone(), |_| Reply::Serve);
	let e = one_at_a_time(&[&broke, &next], &content).unwrap_err();
	assert!(matches!(e, Error::Refused(_)), "{e:?}");
	assert!(e.to_string().contains("stopped after 1048576 verified bytes"), "{e}");
	assert_eq!(asked.load(Ordering::SeqCst), 2);
	assert_eq!(next_asked.load(Ordering::SeqCst), 0);
}

#[test]
fn a_chunk_group_size_bao_tree_cannot_take_is_refused_without_a_panic() {
	let listener = TcpListener::bind("127.0.0.1:0").unwrap();
	let url = format!("http://{}", listener.local_addr().unwrap());
	std::thread::spawn(move || {
		for mut stream in listener.incoming().map_while(Result::ok) {
			let _ = read_request(&stream);
			// Larger than bao-tree's largest chunk group (2^16 chunks).
			let headers =
				[(CONTENT_SIZE_HEADER, "1000".to_string()), (CHUNK_GROUP_LOG_HEADER, "17".into())];
			respond(&mut stream, "200 OK", &headers, &[]);
		}
	});
	let dir = tempfile::tempdir().unwrap();
	let e = get(&url, &content_id(&bytes(1000)), &dir.path().join("out")).unwrap_err();
	assert!(matches!(e, Error::BadPeer(_)), "{e:?}");
	assert!(e.to_string().contains("unusable chunk group size"), "{e}");
}
