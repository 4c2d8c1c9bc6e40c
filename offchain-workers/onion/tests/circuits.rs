//! Relays on loopback, in this process: circuits, anonymous transfers and the security
//! properties of `docs/onion.md` (what each relay sees, fixed-size frames, tampering,
//! replays, malformed input).

use bitcloud_onion::{
	cell::{self, Cell, Refusal, FRAME_LEN},
	link,
	local::LocalNet,
	noise::Initiator,
	Anonymous, Circuit, CircuitError, RelayInfo,
};
use bitcloud_primitives::AccountId;
use std::{
	net::SocketAddr,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	},
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

/// `count` relays (the last stores unmoderated content) and the directory of their stores.
async fn local_net(count: u8) -> (LocalNet, tempfile::TempDir) {
	let dir = tempfile::tempdir().unwrap();
	let net = LocalNet::start(dir.path(), count, usize::from(count) - 1).await.unwrap();
	(net, dir)
}

fn content(len: usize, seed: u8) -> Vec<u8> {
	(0..len).map(|i| ((i as u64 * 2_654_435_761) >> 7) as u8 ^ seed).collect()
}

async fn get(
	anonymous: &Anonymous,
	id: &[u8; 32],
) -> Result<(Vec<u8>, bitcloud_onion::TransferReport), bitcloud_onion::TransferError> {
	let mut out = Vec::new();
	let report = anonymous.get(id, &mut out, &mut |_, _| {}).await?;
	Ok((out, report))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_download_is_verified_and_relays_see_only_their_neighbours() {
	let (net, _dir) = local_net(4).await;
	let bytes = content(3 * 1024 * 1024 + 17, 1);
	let id = net.stores[3].import_bytes(&bytes).unwrap();

	let (got, report) = get(&net.client(&[0, 1, 2]), &id).await.unwrap();
	assert_eq!(got, bytes);
	assert_eq!(report.bytes, bytes.len() as u64);
	assert_eq!(
		report.circuits,
		vec![net.path(&[0, 1, 2]).into_iter().map(|r| r.account).collect::<Vec<_>>()]
	);

	// The guard knows the client's address and the next relay, never the content.
	let extended_to = |relay: usize, next: usize| {
		let journal = net.relays[relay].journal();
		let found = journal.iter().find(|r| r.next == Some(net.infos[next].account.clone()));
		found.cloned().expect("the circuit went through")
	};
	let guard = extended_to(0, 1);
	let client = guard.previous;
	assert_eq!(guard.depth, 1);
	assert!(guard.contents.is_empty());
	// The middle knows relays only.
	let middle = extended_to(1, 2);
	assert_eq!(middle.depth, 2);
	assert!(middle.contents.is_empty());
	// The exit knows the content (outboard, then bytes), and the middle's address.
	let exit = net.relays[2].journal();
	assert_eq!((exit[0].depth, exit[0].contents.clone()), (3, vec![id, id]));
	assert_ne!(exit[0].previous, client);
	// Relays the exit asked for the content see one-hop circuits from the exit (the outboard
	// and the last chunk group that proves the size on one, the bytes on another).
	let storing = net.relays[3].journal();
	assert!(!storing.is_empty());
	assert!(storing.iter().all(|record| record.depth == 1
		&& !record.contents.is_empty()
		&& record.contents.iter().all(|asked| *asked == id)));
	for relay in &net.relays {
		for record in relay.journal() {
			assert!(
				record.contents.is_empty() || record.previous != client,
				"a relay held the client's address and a content id: {record:?}"
			);
		}
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_publishing_stores_at_the_storing_relay_and_reads_back() {
	let (net, _dir) = local_net(4).await;
	let bytes = content(700_000, 2);
	let id = *blake3::hash(&bytes).as_bytes();
	let anonymous = net.client(&[2, 1, 0]);
	let source = bytes.clone();
	let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
		Ok(Box::new(std::io::Cursor::new(source.clone())))
	};
	let report = anonymous.put(&id, bytes.len() as u64, &open).await.unwrap();
	assert_eq!(report.bytes, bytes.len() as u64);
	assert!(net.stores[3].contains(&id));
	assert!(net.stores.iter().take(3).all(|store| !store.contains(&id)));
	let (got, _) = get(&net.client(&[1, 0, 2]), &id).await.unwrap();
	assert_eq!(got, bytes);

	// Bytes that are not the content are refused and stored nowhere.
	let other = *blake3::hash(b"something else").as_bytes();
	let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
		Ok(Box::new(std::io::Cursor::new(vec![7u8; 1000])))
	};
	let err = net.client(&[0, 1, 2]).put(&other, 1000, &open).await.unwrap_err();
	assert!(err.0.contains("Refused"), "{err}");
	assert!(net.stores.iter().all(|store| !store.contains(&other)));
	// Unknown content: not found, for good.
	let err = get(&net.client(&[0, 1, 2]), &[9; 32]).await.unwrap_err();
	assert!(err.0.contains("NotFound"), "{err}");
}

/// A TCP proxy in front of a relay: forwards the HTTP upgrade, then counts whole frames each
/// way and may flip one byte of one client-to-relay frame.
struct Proxy {
	addr: SocketAddr,
	frames_out: Arc<AtomicUsize>,
	frames_in: Arc<AtomicUsize>,
	partial: Arc<AtomicUsize>,
}

impl Proxy {
	async fn start(target: SocketAddr, flip_frame: Option<usize>) -> Proxy {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		let frames_out = Arc::new(AtomicUsize::new(0));
		let frames_in = Arc::new(AtomicUsize::new(0));
		let partial = Arc::new(AtomicUsize::new(0));
		let counters = (frames_out.clone(), frames_in.clone(), partial.clone());
		tokio::spawn(async move {
			while let Ok((client, _)) = listener.accept().await {
				let relay = TcpStream::connect(target).await.unwrap();
				let (client_read, client_write) = client.into_split();
				let (relay_read, relay_write) = relay.into_split();
				let (out, inn, partial) = counters.clone();
				tokio::spawn(pump(client_read, relay_write, out, partial.clone(), flip_frame));
				tokio::spawn(pump(relay_read, client_write, inn, partial, None));
			}
		});
		Proxy { addr, frames_out, frames_in, partial }
	}
}

async fn pump(
	mut from: tokio::net::tcp::OwnedReadHalf,
	mut to: tokio::net::tcp::OwnedWriteHalf,
	frames: Arc<AtomicUsize>,
	partial: Arc<AtomicUsize>,
	flip_frame: Option<usize>,
) {
	let mut head = Vec::new();
	while !head.ends_with(b"\r\n\r\n") {
		let Ok(byte) = from.read_u8().await else { return };
		head.push(byte);
	}
	if to.write_all(&head).await.is_err() {
		return;
	}
	let mut frame = vec![0u8; FRAME_LEN];
	loop {
		let mut filled = 0;
		while filled < FRAME_LEN {
			match from.read(&mut frame[filled..]).await {
				Ok(0) | Err(_) => {
					if filled > 0 {
						partial.fetch_add(1, Ordering::SeqCst);
					}
					return;
				},
				Ok(n) => filled += n,
			}
		}
		let index = frames.fetch_add(1, Ordering::SeqCst);
		if flip_frame == Some(index) {
			frame[100] ^= 0x01;
		}
		if to.write_all(&frame).await.is_err() {
			return;
		}
	}
}

fn via(info: &RelayInfo, proxy: &Proxy) -> RelayInfo {
	RelayInfo { endpoint: format!("http://{}", proxy.addr), ..info.clone() }
}

fn authority(info: &RelayInfo) -> SocketAddr {
	info.endpoint.trim_start_matches("http://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_have_one_size_whatever_they_carry() {
	let (net, _dir) = local_net(4).await;
	let small = net.stores[3].import_bytes(b"tiny").unwrap();
	let large = net.stores[3].import_bytes(&content(1_000_000, 3)).unwrap();
	for id in [small, large] {
		let proxy = Proxy::start(authority(&net.infos[0]), None).await;
		let path = [via(&net.infos[0], &proxy), net.infos[1].clone(), net.infos[2].clone()];
		let mut circuit = Circuit::build(&path, &net.genesis).await.unwrap();
		let size = circuit
			.request(&Cell::Get { id, offset: 0, len: u64::MAX, local: false })
			.await
			.unwrap();
		let mut received = 0;
		while let Some(bytes) = circuit.data().await.unwrap() {
			received += bytes.len() as u64;
		}
		assert_eq!(received, size);
		drop(circuit);
		tokio::time::sleep(std::time::Duration::from_millis(200)).await;
		// Handshake, two extensions and the request out; answers back: all whole frames.
		assert_eq!(proxy.frames_out.load(Ordering::SeqCst), 4);
		assert!(proxy.frames_in.load(Ordering::SeqCst) >= 4);
		assert_eq!(proxy.partial.load(Ordering::SeqCst), 0);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_cell_tears_the_circuit_down() {
	let (net, _dir) = local_net(4).await;
	let id = net.stores[3].import_bytes(&content(200_000, 4)).unwrap();
	// Frame 0 opens the hop, 1 and 2 extend; frame 3 (the request) is flipped.
	let proxy = Proxy::start(authority(&net.infos[0]), Some(3)).await;
	let path = [via(&net.infos[0], &proxy), net.infos[1].clone(), net.infos[2].clone()];
	let mut circuit = Circuit::build(&path, &net.genesis).await.unwrap();
	let err =
		circuit.request(&Cell::Get { id, offset: 0, len: 10, local: false }).await.unwrap_err();
	assert!(matches!(err, CircuitError::Io(_)), "{err}");
	assert_eq!(net.relays[0].stats().tampered.load(Ordering::SeqCst), 1);
	// The whole circuit is gone: the exit never saw the request.
	tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	assert!(net.relays[2].journal().iter().all(|record| record.contents.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_handshakes_fail() {
	let (net, _dir) = local_net(1).await;
	let (_, first) = Initiator::start(&net.infos[0].onion_key, &net.genesis).unwrap();
	let opening = cell::create_frame(1, &first);
	let mut frame = Box::new([0u8; FRAME_LEN]);

	let mut original = link::connect(&net.infos[0].endpoint).await.unwrap();
	original.write_all(&opening).await.unwrap();
	link::read_frame(&mut original, &mut frame).await.unwrap();
	assert!(cell::parse_created(&frame[..]).is_ok());

	let mut replay = link::connect(&net.infos[0].endpoint).await.unwrap();
	replay.write_all(&opening).await.unwrap();
	assert!(link::read_frame(&mut replay, &mut frame).await.is_err(), "the replay is closed");
	assert_eq!(net.relays[0].stats().replayed.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_handshakes_and_cells_are_dropped_and_the_relay_goes_on() {
	let (net, _dir) = local_net(3).await;
	let endpoint = &net.infos[0].endpoint;
	let mut frame = Box::new([0u8; FRAME_LEN]);
	let closed = |mut link: TcpStream| async move {
		let mut byte = [0u8; 1];
		matches!(link.read(&mut byte).await, Ok(0) | Err(_))
	};

	// Garbage instead of an opening frame, a wrong depth, a handshake for another key.
	let (_, first) = Initiator::start(&net.infos[1].onion_key, &net.genesis).unwrap();
	for opening in
		[vec![0xEE; FRAME_LEN], cell::create_frame(0, &first), cell::create_frame(1, &first)]
	{
		let mut link = link::connect(endpoint).await.unwrap();
		link.write_all(&opening).await.unwrap();
		assert!(closed(link).await);
	}
	// Half a frame, then nothing.
	let mut link = link::connect(endpoint).await.unwrap();
	link.write_all(&[1; 100]).await.unwrap();
	drop(link);
	tokio::time::sleep(std::time::Duration::from_millis(200)).await;
	assert_eq!(net.relays[0].stats().malformed.load(Ordering::SeqCst), 4);

	// A sound hop, then a frame that is not sealed under its layer.
	let (initiator, first) = Initiator::start(&net.infos[0].onion_key, &net.genesis).unwrap();
	let mut link = link::connect(endpoint).await.unwrap();
	link.write_all(&cell::create_frame(1, &first)).await.unwrap();
	link::read_frame(&mut link, &mut frame).await.unwrap();
	initiator.finish(&cell::parse_created(&frame[..]).unwrap()).unwrap();
	link.write_all(&vec![0x55; FRAME_LEN]).await.unwrap();
	assert!(closed(link).await);
	assert_eq!(net.relays[0].stats().tampered.load(Ordering::SeqCst), 1);

	// A sealed cell that is no cell: an error comes back, then the link closes.
	let (initiator, first) = Initiator::start(&net.infos[0].onion_key, &net.genesis).unwrap();
	let mut link = link::connect(endpoint).await.unwrap();
	link.write_all(&cell::create_frame(1, &first)).await.unwrap();
	link::read_frame(&mut link, &mut frame).await.unwrap();
	let mut layer = initiator.finish(&cell::parse_created(&frame[..]).unwrap()).unwrap();
	let mut plain = vec![0u8; cell::payload_len(1)];
	plain[0] = 200;
	layer.sealer.seal(&plain, &mut frame[..]).unwrap();
	link.write_all(&frame[..]).await.unwrap();
	link::read_frame(&mut link, &mut frame).await.unwrap();
	let mut opened = vec![0u8; cell::payload_len(1)];
	layer.opener.open(&frame[..], &mut opened).unwrap();
	assert!(matches!(Cell::decode(&opened), Ok(Cell::Error { refusal: Refusal::BadRequest, .. })));
	assert!(closed(link).await);

	// Plain HTTP gets a refusal, not a link.
	let mut http = TcpStream::connect(authority(&net.infos[0])).await.unwrap();
	http.write_all(b"GET /onion HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
	let mut answer = vec![0u8; 12];
	http.read_exact(&mut answer).await.unwrap();
	assert_eq!(&answer, b"HTTP/1.1 426");

	// Extending to an account the chain does not list is refused; the circuit stays usable.
	let mut circuit = Circuit::build(&net.path(&[0, 1]), &net.genesis).await.unwrap();
	let stranger = RelayInfo { account: AccountId::new([99; 32]), ..net.infos[2].clone() };
	let err = circuit.extend(&stranger).await.unwrap_err();
	assert!(matches!(err, CircuitError::Refused { refusal: Refusal::Unreachable, .. }), "{err}");
	circuit.extend(&net.infos[2]).await.unwrap();
	assert_eq!(circuit.len(), 3);
	// And after all that, the relays still carry circuits.
	let id = net.stores[2].import_bytes(&content(50_000, 5)).unwrap();
	let (got, _) = get(&net.client(&[0, 1, 2]), &id).await.unwrap();
	assert_eq!(got.len(), 50_000);
}
