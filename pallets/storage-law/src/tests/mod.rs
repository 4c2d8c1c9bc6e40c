//! Unit tests of the storage law, by area.

mod challenges;
mod migration;
mod new_content;
mod obligations;
mod params;
mod penalties;
mod respond;
mod runtime_api;
mod testing_utils;
