//! Unit tests of the storage leases: one file per call, plus the trait the storage law uses,
//! the runtime API's queries, attacks across calls and the invariants.

mod attacks;
mod claim;
mod clear_encryption_key;
mod close;
mod create_lease;
mod dismiss_share;
mod end_lease;
mod genesis;
mod invariants;
mod keep;
mod obligations;
mod offer_storage;
mod release;
mod runtime_api;
mod set_encryption_key;
mod set_index;
mod share;
mod testing_utils;
mod top_up;
mod withdraw_offer;
mod withdraw_share;
