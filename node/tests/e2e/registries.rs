//! End to end against the real node: the moderator and node registries over RPC, as a
//! polkadot-js user or a dapp would use them.

use crate::common::{account, failure, succeeded, Node};
use bitcloud_primitives::{content_id, Standing};
use bitcloud_runtime::{Runtime, RuntimeCall, RuntimeEvent, UNIT};
use polkadot_sdk::{
	sp_keyring::Sr25519Keyring::{Bob, Charlie, Dave, Eve, Ferdie},
	sp_runtime::{AccountId32, Perbill},
};

type NodeView = pallet_nodes::NodeView<AccountId32, u128, u32>;

#[test]
fn moderators_list_content_and_nodes_subscribe_over_rpc() {
	let node = Node::start_dev(&[]);
	node.wait_finalized(1);

	// The development preset: Charlie moderates a sample catalog served by Dave and Eve.
	let mut serving: Vec<AccountId32> =
		node.runtime_api("NodesApi_nodes_serving", account(Charlie));
	serving.sort();
	let mut expected = vec![account(Dave), account(Eve)];
	expected.sort();
	assert_eq!(serving, expected, "the sample nodes serve Charlie's catalog");

	// Ferdie becomes a moderator and lists a file.
	let commission = Perbill::from_percent(5);
	let events = node.execute(
		Ferdie,
		RuntimeCall::Moderation(pallet_moderation::Call::register_moderator {
			name: b"Ferdie's films".to_vec(),
			policy_uri: b"https://example.invalid/policy".to_vec(),
			policy_hash: [7; 32],
			commission,
		}),
	);
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Moderation(
		pallet_moderation::Event::ModeratorRegistered {
			moderator: account(Ferdie),
			deposit: 100 * UNIT,
			commission,
		}
	)));

	let film = b"a very short film".to_vec();
	let id = content_id(&film);
	let events = node.execute(
		Ferdie,
		RuntimeCall::Moderation(pallet_moderation::Call::list_content {
			content: id,
			size: film.len() as u64,
			title: b"film.mp4".to_vec(),
			mime_type: b"video/mp4".to_vec(),
			publisher: None,
		}),
	);
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Moderation(pallet_moderation::Event::ContentListed {
		moderator: account(Ferdie),
		content: id,
		size: film.len() as u64,
		publisher: None,
	})));

	// Bob registers a content node and subscribes to Ferdie.
	let onion_key = [9; 32];
	let events = node.execute(
		Bob,
		RuntimeCall::Nodes(pallet_nodes::Call::register_node {
			bond: 500 * UNIT,
			capacity: 1 << 30,
			endpoint: b"http://127.0.0.1:8090".to_vec(),
			onion_key,
			unmoderated: true,
		}),
	);
	assert!(succeeded(&events), "{events:?}");

	// Subscribing to an account that is no moderator fails with a clear error and changes
	// nothing.
	let events = node.execute(
		Bob,
		RuntimeCall::Nodes(pallet_nodes::Call::subscribe { moderator: account(Dave) }),
	);
	assert_eq!(failure(&events), Some(pallet_nodes::Error::<Runtime>::UnknownModerator.into()));
	let view: Option<NodeView> = node.runtime_api("NodesApi_node", account(Bob));
	assert!(view.expect("Bob is registered").subscriptions.is_empty());

	let events = node.execute(
		Bob,
		RuntimeCall::Nodes(pallet_nodes::Call::subscribe { moderator: account(Ferdie) }),
	);
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Nodes(pallet_nodes::Event::Subscribed {
		node: account(Bob),
		moderator: account(Ferdie),
	})));

	// A client finds the node, its endpoint, onion key and standing through the runtime API.
	let view: NodeView =
		node.runtime_api::<Option<NodeView>>("NodesApi_node", account(Bob)).expect("Bob's node");
	assert_eq!(view.bond, 500 * UNIT);
	assert_eq!(view.endpoint, b"http://127.0.0.1:8090".to_vec());
	assert_eq!(view.onion_key, onion_key);
	assert!(view.unmoderated);
	assert_eq!(view.standing, Standing::Active);
	assert_eq!(view.subscriptions, vec![account(Ferdie)]);
	let serving: Vec<AccountId32> = node.runtime_api("NodesApi_nodes_serving", account(Ferdie));
	assert_eq!(serving, vec![account(Bob)]);
	let standing: Option<Standing> = node.runtime_api("NodesApi_standing", account(Bob));
	assert_eq!(standing, Some(Standing::Active));

	assert!(node.stop().success());
}
