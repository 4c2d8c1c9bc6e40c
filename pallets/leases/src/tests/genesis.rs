//! The genesis config: the storage offers a chain starts with.

use crate::{mock::*, GenesisConfig, Offers};
use polkadot_sdk::{frame_support::traits::BuildGenesisConfig, sp_io};

#[test]
fn genesis_offers_are_stored() {
	build().execute_with(|| {
		GenesisConfig::<Test> { offers: vec![(MOD_A, 5), (MOD_B, 7)] }.build();
		assert_eq!(Offers::<Test>::get(MOD_A), Some(5));
		assert_eq!(Offers::<Test>::get(MOD_B), Some(7));
		assert_eq!(Offers::<Test>::iter().count(), 2);
	});
}

#[test]
#[should_panic(expected = "a genesis offer needs a live moderator")]
fn a_genesis_offer_of_a_retired_moderator_is_refused() {
	build().execute_with(|| GenesisConfig::<Test> { offers: vec![(RETIRED, 5)] }.build());
}

#[test]
#[should_panic(expected = "a genesis offer needs a price")]
fn a_genesis_offer_without_a_price_is_refused() {
	build().execute_with(|| GenesisConfig::<Test> { offers: vec![(MOD_A, 0)] }.build());
}

#[test]
fn an_empty_genesis_offers_nothing() {
	sp_io::TestExternalities::default().execute_with(|| {
		GenesisConfig::<Test>::default().build();
		assert_eq!(Offers::<Test>::iter().count(), 0);
	});
}
