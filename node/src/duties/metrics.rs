//! The duties' figures in the node's Prometheus registry.

use polkadot_sdk::substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};

/// The duties' figures.
#[derive(Clone)]
pub struct DutyMetrics {
	/// Receipts held whose bytes the chain has not credited yet.
	pub receipts_pending: Gauge<U64>,
	/// Receipts sent to the chain.
	pub receipts_submitted: Counter<U64>,
	/// Receipts the chain refuses, by its error.
	pub receipts_dropped: CounterVec<U64>,
	/// Receipts kept for a retry, by cause.
	pub receipts_deferred: CounterVec<U64>,
	/// Challenges answered with a proof.
	pub challenges_answered: Counter<U64>,
	/// Challenges that could not be answered.
	pub challenges_missed: Counter<U64>,
}

impl DutyMetrics {
	/// The figures, in `registry` if there is one.
	pub fn register(registry: Option<&Registry>) -> Result<Self, PrometheusError> {
		Ok(DutyMetrics {
			receipts_pending: registered(
				Gauge::new(
					"bitcloud_receipts_pending",
					"Receipts held whose bytes the chain has not credited yet",
				)?,
				registry,
			)?,
			receipts_submitted: registered(
				Counter::new(
					"bitcloud_receipts_submitted_total",
					"Receipts sent to the chain in submit_receipts transactions",
				)?,
				registry,
			)?,
			receipts_dropped: registered(
				CounterVec::new(
					Opts::new(
						"bitcloud_receipts_dropped_total",
						"Receipts the chain refuses (found by dry runs), dropped from the book, \
						 by the chain's error",
					),
					&["error"],
				)?,
				registry,
			)?,
			receipts_deferred: registered(
				CounterVec::new(
					Opts::new(
						"bitcloud_receipts_deferred_total",
						"Receipts not sent this round and kept for a retry, by cause",
					),
					&["cause"],
				)?,
				registry,
			)?,
			challenges_answered: registered(
				Counter::new(
					"bitcloud_challenges_answered_total",
					"Storage challenges answered with a proof",
				)?,
				registry,
			)?,
			challenges_missed: registered(
				Counter::new(
					"bitcloud_challenges_missed_total",
					"Storage challenges that could not be answered (content not in the store)",
				)?,
				registry,
			)?,
		})
	}
}

/// `metric`, registered in `registry` if there is one (a node without `--prometheus-port`
/// still counts, for nobody).
fn registered<M>(metric: M, registry: Option<&Registry>) -> Result<M, PrometheusError>
where
	M: Clone + polkadot_sdk::substrate_prometheus_endpoint::prometheus::core::Collector + 'static,
{
	match registry {
		Some(registry) => register(metric, registry),
		None => Ok(metric),
	}
}
