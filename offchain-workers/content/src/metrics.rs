//! Prometheus metrics of the content services, registered in the node's registry.

use polkadot_sdk::substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, GaugeVec, Opts, PrometheusError, Registry, U64,
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
	/// Gateway connections open.
	pub connections_open: Gauge<U64>,
	/// Gateway connections refused, by bound (`full`, `peer`).
	pub connections_refused: CounterVec<U64>,
	/// Bytes of content held unlisted, by kind (`proposed`, `unmoderated`).
	pub unlisted_bytes: GaugeVec<U64>,
	/// Unlisted content removed from the store, by reason (`expired`, `unwanted`, `evicted`).
	pub unlisted_removed: CounterVec<U64>,
	/// Requests overlapping chunks under a pending storage challenge, by outcome
	/// (`refused_unpaid`, `refused_node`, `served_paying`).
	pub challenged_ranges: CounterVec<U64>,
	/// `requests`' counters of `2xx`, `3xx`, `4xx` and `5xx`, resolved once: counting a
	/// response is then one atomic add, with no label lookup.
	status_classes: [Counter<U64>; 4],
}

/// The status classes of `bitcloud_content_requests_total`, in the order of
/// `Metrics::status_classes`.
const STATUS_CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

/// A counter `name` registered in `registry`.
fn counter(registry: &Registry, name: &str, help: &str) -> Result<Counter<U64>, PrometheusError> {
	register(Counter::new(name, help)?, registry)
}

/// A counter `name` by `label` registered in `registry`.
fn counter_vec(
	registry: &Registry,
	name: &str,
	help: &str,
	label: &str,
) -> Result<CounterVec<U64>, PrometheusError> {
	register(CounterVec::new(Opts::new(name, help), &[label])?, registry)
}

/// A gauge `name` registered in `registry`.
fn gauge(registry: &Registry, name: &str, help: &str) -> Result<Gauge<U64>, PrometheusError> {
	register(Gauge::new(name, help)?, registry)
}

/// A gauge `name` by `label` registered in `registry`.
fn gauge_vec(
	registry: &Registry,
	name: &str,
	help: &str,
	label: &str,
) -> Result<GaugeVec<U64>, PrometheusError> {
	register(GaugeVec::new(Opts::new(name, help), &[label])?, registry)
}

impl Metrics {
	/// Registers the metrics in `registry` (`bitcloud_content_*`).
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let r = registry;
		let requests = counter_vec(
			r,
			"bitcloud_content_requests_total",
			"Gateway requests by status class",
			"class",
		)?;
		let status_classes = STATUS_CLASSES.map(|class| requests.with_label_values(&[class]));
		Ok(Metrics {
			bytes_served: counter(r, "bitcloud_content_bytes_served_total", "Content bytes sent")?,
			requests,
			status_classes,
			errors: counter_vec(
				r,
				"bitcloud_content_errors_total",
				"Content service errors by kind",
				"kind",
			)?,
			store_bytes: gauge(r, "bitcloud_content_store_bytes", "Bytes of content in the store")?,
			store_items: gauge(r, "bitcloud_content_store_items", "Items in the content store")?,
			connections_open: gauge(
				r,
				"bitcloud_content_connections_open",
				"Gateway connections open",
			)?,
			connections_refused: counter_vec(
				r,
				"bitcloud_content_connections_refused_total",
				"Gateway connections refused, by bound",
				"bound",
			)?,
			unlisted_bytes: gauge_vec(
				r,
				"bitcloud_content_unlisted_bytes",
				"Bytes of content held while no subscribed moderator lists it",
				"kind",
			)?,
			unlisted_removed: counter_vec(
				r,
				"bitcloud_content_unlisted_removed_total",
				"Unlisted content removed from the store, by reason",
				"reason",
			)?,
			challenged_ranges: counter_vec(
				r,
				"bitcloud_content_challenged_ranges_total",
				"Requests for chunks under a pending storage challenge, by outcome",
				"outcome",
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
			200..=299 => 0,
			300..=399 => 1,
			400..=499 => 2,
			_ => 3,
		};
		self.status_classes[class].inc();
	}

	/// Counts an error of `kind` (`io`, `chain`, `corrupt`).
	pub fn count_error(&self, kind: &str) {
		self.errors.with_label_values(&[kind]).inc();
	}
}

/// What the receipt book's door does with the receipts it is given
/// ([`BookDoor`](crate::admission::BookDoor)).
#[derive(Clone, Debug)]
pub struct ReceiptMetrics {
	/// Receipts kept in the book.
	pub kept: Counter<U64>,
	/// Receipts refused at the door, by reason (`wrong_node`, `epoch_outside_window`,
	/// `bad_signature`, `no_bandwidth_lock`, `client_full`, `epoch_full`...).
	pub refused: CounterVec<U64>,
}

impl ReceiptMetrics {
	/// Registers the metrics in `registry` (`bitcloud_receipts_kept_total`,
	/// `bitcloud_receipts_refused_total{reason}`).
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(ReceiptMetrics {
			kept: counter(
				registry,
				"bitcloud_receipts_kept_total",
				"Receipts kept in the receipt book (new keys and newer receipts)",
			)?,
			refused: counter_vec(
				registry,
				"bitcloud_receipts_refused_total",
				"Receipts refused at the receipt book's door, by reason",
				"reason",
			)?,
		})
	}

	/// Metrics registered in a registry of their own (when the node runs without Prometheus,
	/// and in tests).
	pub fn unregistered() -> Self {
		Self::register(&Registry::new()).expect("fresh registry has no name clashes; qed")
	}

	/// Receipts refused so far for `reason`.
	pub fn refused_for(&self, reason: &str) -> u64 {
		self.refused.with_label_values(&[reason]).get()
	}
}
