//! Unit tests of the storage law, by area.

mod challenges;
mod leases;
mod migration;
mod migration_v2;
mod new_content;
mod obligations;
mod params;
mod penalties;
mod respond;
mod runtime_api;
mod testing_utils;
