//! The threads that serve the gateway's connections. Each runs a single-threaded tokio
//! runtime of its own, accepts connections and keeps each until it ends, as nginx's worker
//! processes do. On the node's shared multi-threaded runtime, answering small files spent a
//! large part of its time waking and stealing between threads, and a new connection waited
//! for a second thread to be woken (docs/performance.md, "Session 16").

use std::{future::Future, io, thread};
use tokio::sync::oneshot;

/// Threads each running one future on a runtime of its own; dropping this stops them,
/// cancelling their futures and every task those spawned.
pub(super) struct Workers {
	_stop: Vec<oneshot::Sender<()>>,
}

impl Workers {
	/// Starts a thread named `{name}-{i}` for each of `work`'s futures, which runs it until
	/// it ends or the workers are dropped.
	pub(super) fn start<F>(name: &str, work: impl IntoIterator<Item = F>) -> io::Result<Self>
	where
		F: Future<Output = ()> + Send + 'static,
	{
		let stop = work
			.into_iter()
			.enumerate()
			.map(|(i, work)| start_one(format!("{name}-{i}"), work))
			.collect::<io::Result<_>>()?;
		Ok(Workers { _stop: stop })
	}
}

/// Starts the thread `name` running `work`; it stops when the sender returned is dropped.
fn start_one(
	name: String,
	work: impl Future<Output = ()> + Send + 'static,
) -> io::Result<oneshot::Sender<()>> {
	let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
	let (stop, stopped) = oneshot::channel::<()>();
	thread::Builder::new().name(name).spawn(move || {
		runtime.block_on(async move {
			tokio::select! {
				() = work => {},
				_ = stopped => {},
			}
		});
		// Tasks still under way are cancelled; blocking reads they started finish alone.
		runtime.shutdown_background();
	})?;
	Ok(stop)
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{
		sync::mpsc::{self, RecvTimeoutError},
		time::Duration,
	};

	#[test]
	fn each_future_runs_on_a_thread_of_its_own() {
		let (seen, names) = mpsc::channel();
		let work = (0..2).map(|_| {
			let seen = seen.clone();
			async move {
				let _ = seen.send(thread::current().name().map(String::from));
			}
		});
		let _workers = Workers::start("test-worker", work).unwrap();
		let mut names: Vec<_> =
			(0..2).map(|_| names.recv_timeout(Duration::from_secs(10)).unwrap()).collect();
		names.sort();
		assert_eq!(names, [Some("test-worker-0".into()), Some("test-worker-1".into())]);
	}

	#[test]
	fn dropping_the_workers_cancels_their_futures_and_tasks() {
		let (held, dropped) = mpsc::channel::<()>();
		let (started, running) = mpsc::channel();
		let work = async move {
			// A task spawned by the work, holding the sender, which goes with the task.
			tokio::spawn(async move {
				let _held = held;
				let _ = started.send(());
				std::future::pending::<()>().await
			});
			std::future::pending::<()>().await
		};
		let workers = Workers::start("test-worker", [work]).unwrap();
		running.recv_timeout(Duration::from_secs(10)).unwrap();
		drop(workers);
		assert_eq!(
			dropped.recv_timeout(Duration::from_secs(10)),
			Err(RecvTimeoutError::Disconnected)
		);
	}
}
