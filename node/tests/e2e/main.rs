//! The end-to-end tests: each module starts the real `bitcloud-node` (and `bitcloud`)
//! binaries and talks to them over RPC and HTTP, as operators, clients and attackers would.
//!
//! They are one test binary so that cargo runs them concurrently: they spend most of their
//! time waiting for blocks, and one after another they would take most of CI's budget
//! (`docs/building.md`).

mod common;
// Whether the JavaScript checks can run (polkadot_js, wetube).
mod proxy;
#[path = "../../../scripts/js/ready.rs"]
mod ready;

mod bandwidth;
mod cli;
mod content;
mod dev_chain;
mod economy;
mod epochs;
mod localnet;
mod onion;
mod polkadot_js;
mod publish;
mod registries;
mod sites;
mod storage;
mod storage_law;
mod validators;
mod wetube;
