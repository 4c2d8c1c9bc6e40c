//! Prometheus metrics of the content services, registered in the node's registry.

use polkadot_sdk::substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};

/// The gateway's and the store's figures.
#[derive(Clone, Debug)]
pub struct Metrics {
	/// Bytes of content sent (bodies only).
	pub bytes_served: Counter<U64>,
	/// Requests by status class (`2xx`, `3xx`, `4xx`, `5xx`).
	pub requests: CounterVec<U64>,
	/// Errors: i/o, chain queries, content failing verification.
	pub errors: CounterVec<U64>,
	/// Bytes of content in the store.
	pub store_bytes: Gauge<U64>,
	/// Items in the store.
	pub store_items: Gauge<U64>,
}

impl Metrics {
	/// Registers the metrics in `registry` (`bitcloud_content_*`).
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Metrics {
			bytes_served: register(
				Counter::new("bitcloud_content_bytes_served_total", "Content bytes sent")?,
				registry,
			)?,
			requests: register(
				CounterVec::new(
					Opts::new(
						"bitcloud_content_requests_total",
						"Gateway requests by status class",
					),
					&["class"],
				)?,
				registry,
			)?,
			errors: register(
				CounterVec::new(
					Opts::new("bitcloud_content_errors_total", "Content service errors by kind"),
					&["kind"],
				)?,
				registry,
			)?,
			store_bytes: register(
				Gauge::new("bitcloud_content_store_bytes", "Bytes of content in the store")?,
				registry,
			)?,
			store_items: register(
				Gauge::new("bitcloud_content_store_items", "Items in the content store")?,
				registry,
			)?,
		})
	}

	/// Metrics registered in a registry of their own (when the node runs without Prometheus,
	/// and in tests).
	pub fn unregistered() -> Self {
		Self::register(&Registry::new()).expect("fresh registry has no name clashes; qed")
	}

	/// Counts a response by its status class.
	pub fn count_status(&self, status: u16) {
		let class = match status {
			200..=299 => "2xx",
			300..=399 => "3xx",
			400..=499 => "4xx",
			_ => "5xx",
		};
		self.requests.with_label_values(&[class]).inc();
	}

	/// Counts an error of `kind` (`io`, `chain`, `corrupt`).
	pub fn count_error(&self, kind: &str) {
		self.errors.with_label_values(&[kind]).inc();
	}
}
