//! `set_params` and the genesis parameters.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::storage_proof::MAX_CHALLENGE_CHUNKS;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn the_default_params_apply_without_genesis_params() {
	new_test_ext(|| assert_eq!(Params::<Test>::get(), PARAMS));
}

#[test]
fn genesis_params_apply() {
	let params = LawParams { response_blocks: 3, ..PARAMS };
	ExtBuilder::default()
		.with_params(params)
		.build_and_execute(|| assert_eq!(Params::<Test>::get(), params));
}

#[test]
#[should_panic(expected = "genesis storage-law params invalid")]
fn invalid_genesis_params_are_refused() {
	ExtBuilder::default().with_params(LawParams { strikes_per_step: 0, ..PARAMS }).build();
}

#[test]
fn root_sets_params_and_they_apply() {
	new_test_ext(|| {
		let params = LawParams { response_blocks: 2, ..PARAMS };
		assert_set_params(params);
		run_to_block(2);
		let (_, challenge) = only_challenge(DAVE);
		assert_eq!(challenge.deadline, 4);
	});
}

#[test]
fn set_params_refuses_bad_origins_and_bad_params() {
	new_test_ext(|| {
		assert_noop!(
			StorageLaw::set_params(RuntimeOrigin::signed(DAVE), PARAMS),
			DispatchError::BadOrigin
		);
		for bad in [
			LawParams { challenges_per_epoch: MAX_CHALLENGES_PER_EPOCH + 1, ..PARAMS },
			LawParams { chunks_per_challenge: 0, ..PARAMS },
			LawParams { chunks_per_challenge: MAX_CHALLENGE_CHUNKS + 1, ..PARAMS },
			LawParams { response_blocks: 0, ..PARAMS },
			LawParams { strikes_per_step: 0, ..PARAMS },
			LawParams { strike_window: 0, ..PARAMS },
		] {
			assert_fails(
				|| StorageLaw::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidParams,
			);
		}
	});
}

#[test]
fn chunks_per_challenge_may_be_anything_from_one_to_the_bound() {
	new_test_ext(|| {
		for chunks_per_challenge in [1, 8, MAX_CHALLENGE_CHUNKS] {
			assert_set_params(LawParams { chunks_per_challenge, ..PARAMS });
		}
		assert_eq!(MAX_CHALLENGE_CHUNKS, 16);
	});
}

#[test]
#[should_panic(expected = "genesis storage-law params invalid")]
fn genesis_params_without_chunks_are_refused() {
	ExtBuilder::default().with_params(LawParams { chunks_per_challenge: 0, ..PARAMS }).build();
}
