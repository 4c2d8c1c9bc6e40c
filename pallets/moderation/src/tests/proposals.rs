//! Publisher proposals: propose, accept, reject, withdraw.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::ContentId;
use polkadot_sdk::{
	frame_support::{assert_noop, pallet_prelude::DispatchResult},
	sp_runtime::DispatchError,
};

fn propose_call(
	publisher: AccountId,
	moderator: AccountId,
	content: ContentId,
	size: u64,
) -> DispatchResult {
	Moderation::propose_content(
		RuntimeOrigin::signed(publisher),
		moderator,
		content,
		size,
		b"t".to_vec(),
		b"m".to_vec(),
	)
}

#[test]
fn propose_content_holds_deposit_and_records_proposal() {
	new_test_ext(|| {
		register(ALICE);
		assert_propose_content(CHARLIE, ALICE, content(1), 100, b"my video", b"video/x");
		assert_propose_content(
			CHARLIE,
			ALICE,
			content(2),
			MAX_CATALOG_BYTES,
			&[b't'; 16],
			&[b'm'; 8],
		);
		// The same content may be proposed to another moderator.
		register(BOB);
		assert_propose_content(CHARLIE, BOB, content(1), 100, b"", b"");
	});
}

#[test]
fn propose_content_refuses_bad_input() {
	new_test_ext(|| {
		register(ALICE);
		assert_noop!(propose_call(CHARLIE, ALICE, content(1), 0), Error::<Test>::EmptyContent);
		assert_noop!(
			propose_call(CHARLIE, ALICE, content(1), MAX_CATALOG_BYTES + 1),
			Error::<Test>::CatalogTooLarge
		);
		assert_noop!(
			Moderation::propose_content(
				RuntimeOrigin::signed(CHARLIE),
				ALICE,
				content(1),
				1,
				vec![b't'; 17],
				vec![]
			),
			Error::<Test>::TitleTooLong
		);
		assert_noop!(
			Moderation::propose_content(
				RuntimeOrigin::signed(CHARLIE),
				ALICE,
				content(1),
				1,
				vec![],
				vec![b'm'; 9]
			),
			Error::<Test>::MimeTypeTooLong
		);
		assert_noop!(propose_call(DAVE, ALICE, content(1), 1), Error::<Test>::InsufficientBalance);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Moderation::propose_content(origin, ALICE, content(1), 1, vec![], vec![]),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn propose_content_refuses_wrong_state() {
	new_test_ext(|| {
		assert_noop!(propose_call(CHARLIE, ALICE, content(1), 1), Error::<Test>::UnknownModerator);
		register(ALICE);
		list(ALICE, content(1), 1);
		assert_noop!(propose_call(CHARLIE, ALICE, content(1), 1), Error::<Test>::AlreadyListed);
		assert_deny_content(ALICE, content(2));
		assert_noop!(propose_call(CHARLIE, ALICE, content(2), 1), Error::<Test>::ContentDenied);
		propose(CHARLIE, ALICE, content(3), 1);
		// Nobody, not even another publisher, can propose it again while it is pending.
		assert_noop!(propose_call(EVE, ALICE, content(3), 1), Error::<Test>::AlreadyProposed);
		propose(EVE, ALICE, content(4), 1);
		propose(EVE, ALICE, content(5), 1);
		assert_noop!(propose_call(EVE, ALICE, content(6), 1), Error::<Test>::TooManyProposals);
		assert_retire_moderator(ALICE, false);
		register(BOB);
		assert_retire_moderator(BOB, false);
		assert_noop!(propose_call(CHARLIE, BOB, content(7), 1), Error::<Test>::ModeratorRetired);
	});
}

#[test]
fn accept_proposal_lists_content_with_its_publisher() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 10);
		propose(CHARLIE, ALICE, content(2), 100);
		propose(EVE, ALICE, content(3), 200);
		assert_accept_proposal(ALICE, content(3));
		assert_accept_proposal(ALICE, content(2));
		assert_eq!(Balances::free_balance(CHARLIE), INITIAL_BALANCE);
	});
}

#[test]
fn accept_proposal_refuses_when_catalog_rules_fail() {
	new_test_ext(|| {
		register(ALICE);
		propose(CHARLIE, ALICE, content(1), 100);
		propose(CHARLIE, ALICE, content(2), MAX_CATALOG_BYTES);
		propose(CHARLIE, ALICE, content(3), 100);
		// Listed directly meanwhile.
		list(ALICE, content(1), 100);
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::AlreadyListed
		);
		// Too big for what is left of the catalog.
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(2)),
			Error::<Test>::CatalogTooLarge
		);
		// Denied meanwhile.
		assert_deny_content(ALICE, content(3));
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(3)),
			Error::<Test>::ContentDenied
		);
	});
}

#[test]
fn accept_proposal_refuses_when_catalog_is_full() {
	new_test_ext(|| {
		register(ALICE);
		propose(CHARLIE, ALICE, content(9), 1);
		for n in 1..=4 {
			list(ALICE, content(n), 1);
		}
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(9)),
			Error::<Test>::CatalogFull
		);
	});
}

#[test]
fn accept_proposal_refuses_wrong_caller_and_state() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		register(BOB);
		propose(CHARLIE, ALICE, content(1), 1);
		// Only the moderator it was proposed to.
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(BOB), content(1)),
			Error::<Test>::ProposalNotFound
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::accept_proposal(origin, content(1)), DispatchError::BadOrigin);
		}
		assert_retire_moderator(ALICE, false);
		assert_noop!(
			Moderation::accept_proposal(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::ModeratorRetired
		);
	});
}

#[test]
fn reject_proposal_returns_the_deposit() {
	new_test_ext(|| {
		register(ALICE);
		propose(CHARLIE, ALICE, content(1), 1);
		propose(EVE, ALICE, content(2), 1);
		assert_reject_proposal(ALICE, content(1));
		// A retired moderator may still reject.
		assert_retire_moderator(ALICE, false);
		assert_reject_proposal(ALICE, content(2));
		assert_eq!(Balances::free_balance(CHARLIE), INITIAL_BALANCE);
		assert_eq!(Balances::free_balance(EVE), INITIAL_BALANCE);
	});
}

#[test]
fn reject_proposal_refuses_wrong_caller_and_state() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::reject_proposal(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		register(BOB);
		propose(CHARLIE, ALICE, content(1), 1);
		assert_noop!(
			Moderation::reject_proposal(RuntimeOrigin::signed(BOB), content(1)),
			Error::<Test>::ProposalNotFound
		);
		assert_noop!(
			Moderation::reject_proposal(RuntimeOrigin::signed(ALICE), content(2)),
			Error::<Test>::ProposalNotFound
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::reject_proposal(origin, content(1)), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn withdraw_proposal_returns_the_deposit() {
	new_test_ext(|| {
		register(ALICE);
		propose(CHARLIE, ALICE, content(1), 1);
		propose(CHARLIE, ALICE, content(2), 1);
		assert_withdraw_proposal(CHARLIE, ALICE, content(1));
		// Also after the moderator retired.
		assert_retire_moderator(ALICE, false);
		assert_withdraw_proposal(CHARLIE, ALICE, content(2));
		assert_eq!(Balances::free_balance(CHARLIE), INITIAL_BALANCE);
	});
}

#[test]
fn withdraw_proposal_refuses_other_publishers_missing_and_unsigned() {
	new_test_ext(|| {
		register(ALICE);
		assert_noop!(
			Moderation::withdraw_proposal(RuntimeOrigin::signed(CHARLIE), ALICE, content(1)),
			Error::<Test>::ProposalNotFound
		);
		propose(CHARLIE, ALICE, content(1), 1);
		assert_noop!(
			Moderation::withdraw_proposal(RuntimeOrigin::signed(EVE), ALICE, content(1)),
			Error::<Test>::NotProposer
		);
		assert_noop!(
			Moderation::withdraw_proposal(RuntimeOrigin::signed(ALICE), ALICE, content(1)),
			Error::<Test>::NotProposer
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Moderation::withdraw_proposal(origin, ALICE, content(1)),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn proposal_view_shows_pending_proposals_of_live_moderators() {
	new_test_ext(|| {
		register(ALICE);
		assert_eq!(Moderation::proposal_view(&ALICE, &content(1)), None);
		assert_propose_content(CHARLIE, ALICE, content(1), 100, b"my video", b"video/x");
		assert_eq!(
			Moderation::proposal_view(&ALICE, &content(1)),
			Some(ProposalEntry {
				content: content(1),
				size: 100,
				title: b"my video".to_vec(),
				mime_type: b"video/x".to_vec(),
				publisher: CHARLIE,
			})
		);
		// Accepted: listed, no longer a proposal.
		assert_accept_proposal(ALICE, content(1));
		assert_eq!(Moderation::proposal_view(&ALICE, &content(1)), None);
		// A retired moderator's proposals read as none.
		assert_propose_content(CHARLIE, ALICE, content(2), 100, b"", b"");
		assert_retire_moderator(ALICE, false);
		assert_eq!(Moderation::proposal_view(&ALICE, &content(2)), None);
	});
}
