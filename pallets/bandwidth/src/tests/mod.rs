//! Unit tests of the bandwidth ledger, by area.

mod ledger;
mod locks;
mod pruning;
mod receipts;
mod testing_utils;
