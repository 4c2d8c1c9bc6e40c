//! Finding the receipts a chain refuses in a batch it refuses whole.
//!
//! The chain fails a `submitReceipts` batch if any receipt in it is bad. [`bisect`] tries
//! candidate batches (the node's duties try them with a dry run, which costs no fee) and
//! splits a refused part in halves until each bad receipt stands alone. A candidate is always
//! *the receipts accepted so far* followed by the part being tried, so the batch it ends with
//! ([`Bisection::accepted`]) is exactly the last candidate the chain accepted: receipts that
//! pass alone but not together (two new moderators where the node has room for one, say)
//! cannot slip through.
//!
//! Cost: a part the chain refuses is split; when its first half passes, the second half is
//! known to fail (together they are the part that failed) and is split without a trial. A
//! bad receipt in a batch of `n` therefore costs at most `2⌈log2 n⌉` trials besides the first
//! one, and a batch with no bad receipt costs one.

/// What the chain says of a candidate batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trial<E> {
	/// It would take it.
	Accepted,
	/// It refuses it because of a receipt in it: split it to find which.
	Refused(E),
	/// It cannot say, for a reason that is not about the receipts (the chain is unavailable,
	/// the node cannot pay fees, no trials are left): stop, and try again later.
	Stop(E),
}

/// What [`bisect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bisection<T, E> {
	/// The receipts the chain accepts together, in their order: the last accepted candidate.
	pub accepted: Vec<T>,
	/// The receipts the chain refuses, each with the error of the trial that refused it (or
	/// of the part it was the rest of).
	pub refused: Vec<(T, E)>,
	/// Why the search stopped early, and the receipts it left undecided.
	pub stopped: Option<(E, Vec<T>)>,
	/// How many candidates were tried.
	pub trials: usize,
}

/// Splits `batch` until the receipts `trial` refuses stand alone; see the module's docs.
/// `trial` is given whole candidate batches.
pub fn bisect<T, E>(batch: Vec<T>, trial: impl FnMut(&[T]) -> Trial<E>) -> Bisection<T, E> {
	let mut search = Search {
		trial,
		accepted: Vec::new(),
		refused: Vec::new(),
		stop: None,
		undecided: Vec::new(),
		trials: 0,
	};
	search.part(batch, None);
	Bisection {
		accepted: search.accepted,
		refused: search.refused,
		stopped: search.stop.map(|e| (e, search.undecided)),
		trials: search.trials,
	}
}

/// How a part fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
	/// Accepted whole at its first trial.
	Whole,
	/// Split: some of it may have been accepted, some refused.
	Split,
	/// The search stopped.
	Stopped,
}

struct Search<T, E, F> {
	trial: F,
	accepted: Vec<T>,
	refused: Vec<(T, E)>,
	stop: Option<E>,
	undecided: Vec<T>,
	trials: usize,
}

impl<T, E, F: FnMut(&[T]) -> Trial<E>> Search<T, E, F> {
	/// Decides `part`, which is known to be refused with `known` if that is given.
	fn part(&mut self, mut part: Vec<T>, known: Option<E>) -> Flow {
		if self.stop.is_some() {
			self.undecided.append(&mut part);
			return Flow::Stopped;
		}
		if part.is_empty() {
			return Flow::Whole;
		}
		let error = match known {
			Some(error) => error,
			None => {
				let before = self.accepted.len();
				self.accepted.append(&mut part);
				self.trials += 1;
				match (self.trial)(&self.accepted) {
					Trial::Accepted => return Flow::Whole,
					Trial::Refused(error) => {
						part = self.accepted.split_off(before);
						error
					},
					Trial::Stop(error) => {
						self.undecided = self.accepted.split_off(before);
						self.stop = Some(error);
						return Flow::Stopped;
					},
				}
			},
		};
		if part.len() == 1 {
			if let Some(receipt) = part.pop() {
				self.refused.push((receipt, error));
			}
			return Flow::Split;
		}
		let second = part.split_off(part.len() / 2);
		match self.part(part, None) {
			Flow::Stopped => {
				self.undecided.extend(second);
				Flow::Stopped
			},
			// The first half passed, so the second is what the chain refused.
			Flow::Whole => self.rest(second, Some(error)),
			Flow::Split => self.rest(second, None),
		}
	}

	fn rest(&mut self, second: Vec<T>, known: Option<E>) -> Flow {
		match self.part(second, known) {
			Flow::Stopped => Flow::Stopped,
			Flow::Whole | Flow::Split => Flow::Split,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{cell::RefCell, collections::BTreeSet};

	/// A chain that refuses any candidate holding one of `bad` (with that receipt as the
	/// error), recording the candidates in `tried`.
	fn chain<'a>(
		bad: &'a [u32],
		tried: &'a RefCell<Vec<Vec<u32>>>,
	) -> impl FnMut(&[u32]) -> Trial<u32> + 'a {
		move |candidate: &[u32]| {
			tried.borrow_mut().push(candidate.to_vec());
			match candidate.iter().find(|r| bad.contains(r)) {
				Some(r) => Trial::Refused(*r),
				None => Trial::Accepted,
			}
		}
	}

	fn log2_ceil(n: usize) -> usize {
		n.next_power_of_two().trailing_zeros() as usize
	}

	#[test]
	fn a_good_batch_costs_one_trial() {
		let tried = RefCell::new(Vec::new());
		let found = bisect((0..256).collect(), chain(&[], &tried));
		assert_eq!(found.accepted, (0..256).collect::<Vec<_>>());
		assert_eq!((found.refused.len(), found.trials, found.stopped), (0, 1, None));
	}

	#[test]
	fn one_bad_receipt_is_found_in_at_most_2_log2_n_more_trials_wherever_it_is() {
		for n in [1usize, 2, 3, 7, 100, 256] {
			for bad in 0..n as u32 {
				let tried = RefCell::new(Vec::new());
				let found = bisect((0..n as u32).collect(), chain(&[bad], &tried));
				assert_eq!(found.refused, vec![(bad, bad)], "n {n}, bad {bad}");
				let good: Vec<u32> = (0..n as u32).filter(|r| *r != bad).collect();
				assert_eq!(found.accepted, good, "every good receipt lands, in order");
				assert!(
					found.trials <= 1 + 2 * log2_ceil(n),
					"n {n}, bad {bad}: {} trials",
					found.trials
				);
				// What is submitted is exactly what the chain last accepted.
				if !good.is_empty() {
					let last_accepted = tried
						.borrow()
						.iter()
						.rev()
						.find(|candidate| !candidate.contains(&bad))
						.cloned();
					assert_eq!(last_accepted, Some(good));
				}
			}
		}
	}

	#[test]
	fn several_bad_receipts_are_all_found() {
		let bad = [0, 5, 6, 130, 255];
		let tried = RefCell::new(Vec::new());
		let found = bisect((0..256).collect(), chain(&bad, &tried));
		let refused: Vec<u32> = found.refused.iter().map(|(r, _)| *r).collect();
		assert_eq!(refused, bad.to_vec());
		assert!(found.refused.iter().all(|(r, e)| r == e), "each with its own error");
		assert_eq!(found.accepted.len(), 256 - bad.len());
		assert!(found.trials <= 1 + bad.len() * 2 * log2_ceil(256));
	}

	#[test]
	fn receipts_good_alone_but_not_together_are_not_both_accepted() {
		// The chain takes at most one of 3 and 4 (one slot left for a new moderator, say).
		let trial = |candidate: &[u32]| {
			if candidate.contains(&3) && candidate.contains(&4) {
				Trial::Refused("TooManyModerators")
			} else {
				Trial::Accepted
			}
		};
		let found = bisect((0..8).collect(), trial);
		assert_eq!(found.accepted, vec![0, 1, 2, 3, 5, 6, 7]);
		assert_eq!(found.refused, vec![(4, "TooManyModerators")]);
	}

	#[test]
	fn a_stop_keeps_what_was_accepted_and_leaves_the_rest_undecided() {
		let mut left = 3;
		let trial = |candidate: &[u32]| {
			if left == 0 {
				return Trial::Stop("no trials left");
			}
			left -= 1;
			if candidate.contains(&1) {
				Trial::Refused("bad")
			} else {
				Trial::Accepted
			}
		};
		let found = bisect((0..16).collect(), trial);
		// Trials: 0..16 refused, 0..8 refused, 0..4 refused, then out of trials.
		assert_eq!(found.trials, 4);
		assert!(found.accepted.is_empty() && found.refused.is_empty());
		let (why, undecided) = found.stopped.unwrap();
		assert_eq!(why, "no trials left");
		let undecided: BTreeSet<u32> = undecided.into_iter().collect();
		assert_eq!(undecided, (0..16).collect(), "nothing is lost");
	}
}
