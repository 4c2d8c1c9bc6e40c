//! The threads that serve the gateway's connections. Each runs a single-threaded tokio
//! runtime of its own and keeps every connection it is handed until that connection ends, as
//! nginx's worker processes do; the acceptor hands a new connection to the worker serving the
//! fewest. On the node's shared multi-threaded runtime, answering small files spent a large
//! part of its time waking and stealing between threads (docs/performance.md, "Session 16").

use std::{
	future::Future,
	io,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	},
	thread,
};
use tokio::sync::mpsc;

/// Threads serving jobs of type `J` (a connection and what goes with it); they stop once
/// this is dropped, cancelling what they still serve.
pub(super) struct Workers<J> {
	workers: Vec<Worker<J>>,
}

/// One thread's queue of new jobs and its count of jobs under way.
struct Worker<J> {
	queue: mpsc::UnboundedSender<J>,
	load: Arc<AtomicUsize>,
}

impl<J: Send + 'static> Workers<J> {
	/// Starts `count` threads named `{name}-{i}`, each serving the jobs it is handed with
	/// `serve`, each job as a task of its own.
	pub(super) fn start<S, F>(name: &str, count: usize, serve: S) -> io::Result<Self>
	where
		S: Fn(J) -> F + Clone + Send + 'static,
		F: Future<Output = ()> + Send + 'static,
	{
		let workers = (0..count)
			.map(|i| Worker::start(format!("{name}-{i}"), serve.clone()))
			.collect::<io::Result<_>>()?;
		Ok(Workers { workers })
	}

	/// Hands `job` to the worker with the fewest jobs under way; gives it back if every
	/// worker has stopped (or there is none).
	pub(super) fn hand(&self, job: J) -> Result<(), J> {
		let Some(worker) = self.workers.iter().min_by_key(|w| w.load.load(Ordering::Relaxed))
		else {
			return Err(job);
		};
		worker.load.fetch_add(1, Ordering::Relaxed);
		worker.queue.send(job).map_err(|refused| {
			worker.load.fetch_sub(1, Ordering::Relaxed);
			refused.0
		})
	}
}

impl<J: Send + 'static> Worker<J> {
	fn start<S, F>(name: String, serve: S) -> io::Result<Self>
	where
		S: Fn(J) -> F + Send + 'static,
		F: Future<Output = ()> + Send + 'static,
	{
		let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
		let (queue, mut jobs) = mpsc::unbounded_channel::<J>();
		let load = Arc::new(AtomicUsize::new(0));
		let counted = load.clone();
		thread::Builder::new().name(name).spawn(move || {
			runtime.block_on(async move {
				while let Some(job) = jobs.recv().await {
					let done = Done(counted.clone());
					let served = serve(job);
					tokio::spawn(async move {
						let _done = done;
						served.await
					});
				}
			});
			// Jobs still under way are cancelled; blocking reads they started finish alone.
			runtime.shutdown_background();
		})?;
		Ok(Worker { queue, load })
	}
}

/// Counts a job as over when dropped (also when its task is cancelled).
struct Done(Arc<AtomicUsize>);

impl Drop for Done {
	fn drop(&mut self) {
		self.0.fetch_sub(1, Ordering::Relaxed);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{
		collections::HashSet,
		sync::{
			mpsc::{self as std_mpsc, RecvTimeoutError},
			Mutex,
		},
		time::Duration,
	};

	#[test]
	fn jobs_go_to_the_least_loaded_worker_and_end_with_it() {
		let threads = Arc::new(Mutex::new(Vec::new()));
		let (release, released) = tokio::sync::watch::channel(false);
		let seen = threads.clone();
		let workers = Workers::start("test-worker", 2, move |job: u32| {
			let (seen, mut released) = (seen.clone(), released.clone());
			async move {
				seen.lock().unwrap().push((job, thread::current().name().map(String::from)));
				let _ = released.wait_for(|r| *r).await;
			}
		})
		.unwrap();
		for job in 0..4 {
			workers.hand(job).unwrap();
		}
		while threads.lock().unwrap().len() < 4 {
			thread::sleep(Duration::from_millis(5));
		}
		let names: HashSet<_> = threads.lock().unwrap().iter().map(|(_, n)| n.clone()).collect();
		assert_eq!(names.len(), 2, "four jobs went to one worker: {names:?}");
		assert_eq!(loads(&workers), vec![2, 2]);
		release.send(true).unwrap();
		while loads(&workers) != vec![0, 0] {
			thread::sleep(Duration::from_millis(5));
		}
	}

	#[test]
	fn dropping_the_workers_cancels_the_jobs_under_way() {
		let workers = Workers::start("test-worker", 1, |held: std_mpsc::Sender<()>| async move {
			let _held = held;
			std::future::pending::<()>().await
		})
		.unwrap();
		let (held, dropped) = std_mpsc::channel();
		workers.hand(held).unwrap();
		drop(workers);
		// The job's sender goes with its task: nothing is ever sent.
		assert_eq!(
			dropped.recv_timeout(Duration::from_secs(10)),
			Err(RecvTimeoutError::Disconnected)
		);
	}

	fn loads<J>(workers: &Workers<J>) -> Vec<usize> {
		workers.workers.iter().map(|w| w.load.load(Ordering::Relaxed)).collect()
	}

	#[test]
	fn no_workers_give_the_job_back() {
		let workers = Workers::start("none", 0, |_: u8| async {}).unwrap();
		assert_eq!(workers.hand(7), Err(7));
	}
}
