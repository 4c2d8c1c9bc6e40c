//! Onion keys, the Noise handshake that opens a hop, and the layer of encryption it leaves.
//!
//! Each hop is a `Noise_NK_25519_AESGCM_BLAKE2s` handshake (snow): the client knows the
//! relay's static key from the node registry and sends only an ephemeral one, so only the
//! holder of the registered key can complete the handshake, the relay learns nothing that
//! identifies the client, and the session keys are forward secret. The prologue binds the
//! handshake to the protocol version and to the chain's genesis hash.

use snow::{
	params::NoiseParams,
	resolvers::{DefaultResolver, FallbackResolver, RingResolver},
	Builder, HandshakeState, StatelessTransportState,
};
use std::sync::Arc;

/// The Noise protocol of every hop.
///
/// AES-256-GCM rather than ChaCha20-Poly1305: every frame of a circuit is opened or sealed
/// once per hop, and with AES instructions (on every current server CPU) ring's AES-GCM runs
/// about four times as fast (9.6 against 2.3 GB/s per core measured here, 16 KiB frames),
/// which is what bounds a circuit's rate (`docs/performance.md`, "Onion circuits"). Without
/// them ring falls back to a constant-time implementation.
pub const NOISE_PATTERN: &str = "Noise_NK_25519_AESGCM_BLAKE2s";

/// Bytes of each of the two handshake messages (an ephemeral key and an empty payload's tag).
pub const HANDSHAKE_LEN: usize = 48;

/// Bytes the AEAD adds to every sealed message.
pub const TAG_LEN: usize = 16;

/// A relay's x25519 secret onion key.
#[derive(Clone)]
pub struct OnionSecret([u8; 32]);

impl std::fmt::Debug for OnionSecret {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "OnionSecret(public 0x{})", hex::encode(self.public()))
	}
}

impl OnionSecret {
	/// A fresh random key.
	pub fn generate() -> Self {
		let mut secret = [0u8; 32];
		rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
		OnionSecret(secret)
	}

	/// The key with these secret bytes.
	pub fn from_bytes(secret: [u8; 32]) -> Self {
		OnionSecret(secret)
	}

	/// The well-known key of a development account: anybody can derive it, so it is for dev
	/// and test chains only (as the dev accounts' own keys are).
	pub fn dev(account: &[u8; 32]) -> Self {
		OnionSecret(blake3::derive_key("bitcloud 2026 dev onion key", account))
	}

	/// The secret bytes (to save the key).
	pub fn to_bytes(&self) -> [u8; 32] {
		self.0
	}

	/// The public key to register on chain.
	pub fn public(&self) -> [u8; 32] {
		x25519_dalek::x25519(self.0, x25519_dalek::X25519_BASEPOINT_BYTES)
	}
}

/// A failed handshake or a message that does not open under its layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoiseError(pub String);

impl std::fmt::Display for NoiseError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "noise: {}", self.0)
	}
}

impl std::error::Error for NoiseError {}

impl From<snow::Error> for NoiseError {
	fn from(e: snow::Error) -> Self {
		NoiseError(e.to_string())
	}
}

fn builder(prologue: &[u8]) -> Result<Builder<'_>, NoiseError> {
	let params: NoiseParams = NOISE_PATTERN.parse()?;
	// ring's AES-256-GCM (the fast one), curve25519-dalek and BLAKE2s for the rest.
	let resolver = FallbackResolver::new(Box::new(RingResolver), Box::new(DefaultResolver));
	Ok(Builder::with_resolver(params, Box::new(resolver)).prologue(prologue))
}

/// The prologue both sides hash into the handshake.
pub fn prologue(genesis: &[u8; 32]) -> Vec<u8> {
	[crate::link::UPGRADE_PROTOCOL.as_bytes(), genesis].concat()
}

/// The client's half of a handshake in progress.
pub struct Initiator(HandshakeState);

impl Initiator {
	/// Starts a handshake with the relay whose registered key is `relay_key`; returns the
	/// first message to send it.
	pub fn start(
		relay_key: &[u8; 32],
		genesis: &[u8; 32],
	) -> Result<(Self, [u8; HANDSHAKE_LEN]), NoiseError> {
		let prologue = prologue(genesis);
		let mut state = builder(&prologue)?.remote_public_key(relay_key).build_initiator()?;
		let mut message = [0u8; HANDSHAKE_LEN];
		let written = state.write_message(&[], &mut message)?;
		if written != HANDSHAKE_LEN {
			return Err(NoiseError(format!("handshake message of {written} bytes")));
		}
		Ok((Initiator(state), message))
	}

	/// Completes the handshake with the relay's answer.
	pub fn finish(mut self, answer: &[u8; HANDSHAKE_LEN]) -> Result<Layer, NoiseError> {
		let mut payload = [0u8; HANDSHAKE_LEN];
		self.0.read_message(answer, &mut payload)?;
		Layer::from_handshake(self.0)
	}
}

/// The relay's half: checks the client's first message and answers it.
pub fn respond(
	secret: &OnionSecret,
	genesis: &[u8; 32],
	message: &[u8; HANDSHAKE_LEN],
) -> Result<([u8; HANDSHAKE_LEN], Layer), NoiseError> {
	let prologue = prologue(genesis);
	let mut state = builder(&prologue)?.local_private_key(&secret.0).build_responder()?;
	let mut payload = [0u8; HANDSHAKE_LEN];
	state.read_message(message, &mut payload)?;
	let mut answer = [0u8; HANDSHAKE_LEN];
	let written = state.write_message(&[], &mut answer)?;
	if written != HANDSHAKE_LEN {
		return Err(NoiseError(format!("handshake answer of {written} bytes")));
	}
	Ok((answer, Layer::from_handshake(state)?))
}

/// One hop's layer: the sealing half for one direction, the opening half for the other.
/// The halves are separate so a relay's two directions run on separate tasks.
pub struct Layer {
	/// Seals what this side sends.
	pub sealer: Sealer,
	/// Opens what this side receives.
	pub opener: Opener,
}

impl Layer {
	fn from_handshake(state: HandshakeState) -> Result<Self, NoiseError> {
		let keys = Arc::new(state.into_stateless_transport_mode()?);
		Ok(Layer {
			sealer: Sealer { keys: keys.clone(), nonce: 0 },
			opener: Opener { keys, nonce: 0 },
		})
	}
}

/// Seals messages in order (the nonce counts them).
pub struct Sealer {
	keys: Arc<StatelessTransportState>,
	nonce: u64,
}

impl Sealer {
	/// Seals `plain` into `out` (`plain.len() + TAG_LEN` bytes).
	pub fn seal(&mut self, plain: &[u8], out: &mut [u8]) -> Result<(), NoiseError> {
		let written = self.keys.write_message(self.nonce, plain, out)?;
		debug_assert_eq!(written, plain.len() + TAG_LEN);
		self.nonce += 1;
		Ok(())
	}
}

/// Opens messages in order: a changed, replayed, reordered or dropped message fails.
pub struct Opener {
	keys: Arc<StatelessTransportState>,
	nonce: u64,
}

impl Opener {
	/// Opens `sealed` into `out` (`sealed.len() − TAG_LEN` bytes).
	pub fn open(&mut self, sealed: &[u8], out: &mut [u8]) -> Result<(), NoiseError> {
		self.keys
			.read_message(self.nonce, sealed, out)
			.map_err(|_| NoiseError("a cell failed authentication".into()))?;
		self.nonce += 1;
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7; 32];

	fn handshake(secret: &OnionSecret) -> (Layer, Layer) {
		let (initiator, first) = Initiator::start(&secret.public(), &GENESIS).unwrap();
		let (answer, relay) = respond(secret, &GENESIS, &first).unwrap();
		(initiator.finish(&answer).unwrap(), relay)
	}

	#[test]
	fn both_sides_agree_and_messages_open_in_order() {
		let secret = OnionSecret::generate();
		let (mut client, mut relay) = handshake(&secret);
		for round in 0..3u8 {
			let plain = [round; 100];
			let mut sealed = [0u8; 100 + TAG_LEN];
			client.sealer.seal(&plain, &mut sealed).unwrap();
			let mut opened = [0u8; 100];
			relay.opener.open(&sealed, &mut opened).unwrap();
			assert_eq!(opened, plain);
			relay.sealer.seal(&plain, &mut sealed).unwrap();
			client.opener.open(&sealed, &mut opened).unwrap();
			assert_eq!(opened, plain);
		}
	}

	#[test]
	fn tampered_or_replayed_messages_fail() {
		let secret = OnionSecret::generate();
		let (mut client, mut relay) = handshake(&secret);
		let mut sealed = [0u8; 10 + TAG_LEN];
		let mut opened = [0u8; 10];
		client.sealer.seal(&[1; 10], &mut sealed).unwrap();
		let mut tampered = sealed;
		tampered[3] ^= 1;
		assert!(relay.opener.open(&tampered, &mut opened).is_err());
		relay.opener.open(&sealed, &mut opened).unwrap();
		// The same message again is out of order.
		assert!(relay.opener.open(&sealed, &mut opened).is_err());
	}

	#[test]
	fn only_the_registered_key_completes_a_handshake() {
		let registered = OnionSecret::generate();
		let impostor = OnionSecret::generate();
		let (initiator, first) = Initiator::start(&registered.public(), &GENESIS).unwrap();
		assert!(respond(&impostor, &GENESIS, &first).is_err());
		// Another chain's handshake fails too.
		assert!(respond(&registered, &[8; 32], &first).is_err());
		let (answer, _) = respond(&registered, &GENESIS, &first).unwrap();
		assert!(initiator.finish(&answer).is_ok());
	}

	#[test]
	fn dev_keys_are_stable_and_distinct() {
		let alice = OnionSecret::dev(&[1; 32]);
		assert_eq!(alice.public(), OnionSecret::dev(&[1; 32]).public());
		assert_ne!(alice.public(), OnionSecret::dev(&[2; 32]).public());
		assert_ne!(alice.public(), [0; 32]);
	}
}
