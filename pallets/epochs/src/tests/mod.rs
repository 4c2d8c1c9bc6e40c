//! Unit tests of the epochs pallet, by area.

mod clock;
mod set_epoch_length;
mod testing_utils;
