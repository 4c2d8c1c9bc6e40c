//! The queries behind the `StorageLawApi` runtime API.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;

#[test]
fn pending_challenges_and_standing_views() {
	new_test_ext(|| {
		assert_eq!(StorageLaw::standing_view(&NOBODY), None);
		let fresh = StandingView {
			standing: Standing::Active,
			strikes: 0,
			strikes_per_step: PARAMS.strikes_per_step,
			total_strikes: 0,
			passed: 0,
			last_strike: None,
			pending: 0,
		};
		assert_eq!(StorageLaw::standing_view(&DAVE), Some(fresh.clone()));

		run_to_block(2);
		let (id, challenge) = only_challenge(DAVE);
		assert_eq!(Challenges::<Test>::get(id), Some(challenge));
		assert_eq!(
			StorageLaw::standing_view(&DAVE),
			Some(StandingView { pending: 1, ..fresh.clone() })
		);
		assert_respond(DAVE, id, None);
		assert_eq!(
			StorageLaw::standing_view(&DAVE),
			Some(StandingView { passed: 1, ..fresh.clone() })
		);

		run_to_block(8);
		assert_eq!(
			StorageLaw::standing_view(&EVE),
			Some(StandingView {
				strikes: 1,
				total_strikes: 1,
				last_strike: Some(0),
				..fresh.clone()
			})
		);
		// Eve answers from now on. Once the window is over, the strike no longer counts.
		for block in [10, 20] {
			run_to_block(block);
			answer_all(DAVE);
			answer_all(EVE);
		}
		run_to_block(30);
		assert_eq!(
			StorageLaw::standing_view(&EVE).map(|v| (v.strikes, v.total_strikes)),
			Some((0, 1))
		);
		// Oldest first.
		run_to_block(40);
		let ids: Vec<_> = pending(EVE).into_iter().map(|(id, _)| id).collect();
		let mut sorted = ids.clone();
		sorted.sort();
		assert_eq!(ids, sorted);
	});
}

#[test]
fn open_challenges_lists_what_is_pending_and_drops_answered_and_expired_ones() {
	new_test_ext(|| {
		assert_eq!(StorageLaw::open_challenges(), vec![]);
		ferdie_subscribes_to_the_big_item();
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		// Every pending challenge, oldest first, whichever node it is of.
		let all: Vec<_> = Challenges::<Test>::iter().collect();
		assert_eq!(all.len(), 3);
		let open = |ids: &[ChallengeId]| -> Vec<_> {
			ids.iter()
				.map(|id| {
					let c = Challenges::<Test>::get(id).expect("pending");
					(c.content, c.chunks, c.deadline)
				})
				.collect()
		};
		assert_eq!(StorageLaw::open_challenges(), open(&[0, 1, 2]));

		// Answered: gone.
		let (dave_id, _) = only_challenge(DAVE);
		assert_respond(DAVE, dave_id, None);
		let left: Vec<_> = [0, 1, 2].into_iter().filter(|id| *id != dave_id).collect();
		assert_eq!(StorageLaw::open_challenges(), open(&left));

		// Past the deadline, until expiry has run: still pending, still listed.
		System::set_block_number(8);
		assert_eq!(StorageLaw::open_challenges(), open(&left));
		// Expired: gone.
		System::set_block_number(7);
		run_to_block(8);
		assert_eq!(StorageLaw::open_challenges(), vec![]);
		// The next epoch's challenges appear.
		run_to_block(10);
		assert_eq!(StorageLaw::open_challenges(), open(&[3, 4, 5]));
	});
}
