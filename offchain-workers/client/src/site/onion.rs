//! `bitcloud site publish DIR --anonymous`: a site under no moderator. Every file, then the
//! manifest, is leased unmoderated (`leases.createLease(.., None, ..)`, so the nodes that
//! store it keep it and are paid) and published through onion circuits, exactly as `bitcloud
//! store put --anonymous` moves its objects ([`crate::store::lease_all`],
//! [`crate::store::publish_all`]), but not encrypted: a website is public. No node serves
//! unmoderated content over plain HTTP, so the site is browsed through the onion layer
//! ([`super::browse`]).

use super::{prepare, SiteObject, SiteOptions};
use crate::{
	anonymous,
	rpc::Rpc,
	store::{self, chain, Created, Ending, NodePushes, Terms, Upload},
	Error, Signer,
};
use bitcloud_content::site::Manifest;
use bitcloud_primitives::{ContentId, EpochIndex, LeaseId};

/// What reports call the manifest among the site's objects.
pub const MANIFEST_LABEL: &str = "(manifest)";

/// What publishing a site anonymously did.
#[derive(Debug)]
pub struct AnonymousSiteReport {
	/// The site's id: its manifest's content id.
	pub id: ContentId,
	/// The manifest.
	pub manifest: Manifest,
	/// The leases' terms (no moderator).
	pub terms: Terms,
	/// One lease per distinct object, by label (a file's path, or [`MANIFEST_LABEL`]): files
	/// with the same bytes are one object.
	pub leases: Vec<(String, Created)>,
	/// How the onion layer took the objects.
	pub pushes: NodePushes,
}

/// Publishes the site in `dir` under no moderator: checks everything it can before it pays
/// (the directory, the manifest, the chain's quote of every lease, the account's room for
/// them), leases every distinct object in one go, publishes the files through circuits, then
/// the manifest. All or nothing: if the onion layer does not take a file, the manifest is
/// not published and every lease of the run is ended. `progress` hears (bytes published,
/// size) once per object.
pub fn publish_anonymously(
	rpc: &Rpc,
	signer: &Signer,
	dir: &std::path::Path,
	options: &SiteOptions,
	replicas: u32,
	epochs: EpochIndex,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<AnonymousSiteReport, Error> {
	let site = prepare(dir, options, MANIFEST_LABEL)?;
	let manifest_object = &site.manifest_object;
	let objects = distinct(&site.files);
	let onion = anonymous::anonymous(rpc, None)?;
	if onion.relays.is_empty() {
		return Err(Error::Refused(
			"the chain lists no onion relay: an anonymous site cannot be published; publish it \
			 under a --moderator instead"
				.into(),
		));
	}
	let terms = Terms { moderator: None, replicas, epochs };
	// What the chain would refuse, before anything is paid. (The manifest holds every file's
	// hash, so its bytes are none of theirs.)
	let all: Vec<&SiteObject> = objects.iter().copied().chain([manifest_object]).collect();
	for object in &all {
		chain::quote(rpc, object.size, &terms)?;
	}
	let held = chain::leases_of(rpc, &signer.account())?.len();
	chain::check_lease_room(held, all.len(), chain::max_leases_per_owner())?;
	let sizes: Vec<(ContentId, u64)> = all.iter().map(|o| (o.id, o.size)).collect();
	let created = store::lease_all(rpc, signer, Vec::new(), &sizes, &terms)?;
	let leases: Vec<(String, Created)> =
		all.iter().zip(created).map(|(o, c)| (o.label.clone(), c)).collect();
	let lease_ids: Vec<LeaseId> = leases.iter().map(|(_, c)| c.lease).collect();
	// The files first: the manifest goes out only once every file has.
	let mut pushes = store::publish_all(&onion, &uploads(&objects), progress);
	if pushes.failed.is_empty() {
		let manifest_upload = uploads(&[manifest_object]);
		let manifest_pushes = store::publish_all(&onion, &manifest_upload, progress);
		pushes.taken.extend(manifest_pushes.taken);
		pushes.failed.extend(manifest_pushes.failed);
	}
	if let Some((label, why)) = pushes.failed.first() {
		let ending = store::end_leases(rpc, signer, &lease_ids);
		let (label, count) = (label.clone(), pushes.failed.len());
		return Err(why.clone().map_message(|e| {
			format!(
				"the onion layer did not take {label}{}: {e}; nothing is published{}",
				if count > 1 { format!(" (and {} more)", count - 1) } else { String::new() },
				ended_note(&ending)
			)
		}));
	}
	Ok(AnonymousSiteReport { id: site.id, manifest: site.manifest, terms, leases, pushes })
}

/// What became of the leases of a failed run.
fn ended_note(ending: &Ending) -> String {
	match &ending.error {
		None => " (its leases are ended)".into(),
		Some(e) => format!(
			" (leases {:?} could not be ended now: {e}; they end once their paid epochs are over)",
			ending.left
		),
	}
}

/// `objects` without a second object of the same bytes (the first path names it).
fn distinct(objects: &[SiteObject]) -> Vec<&SiteObject> {
	let mut seen = std::collections::BTreeSet::new();
	objects.iter().filter(|object| seen.insert(object.id)).collect()
}

fn uploads<'a>(objects: &[&'a SiteObject]) -> Vec<Upload<'a>> {
	objects
		.iter()
		.map(|o| Upload { label: &o.label, file: &o.file, id: o.id, size: o.size })
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::path::PathBuf;

	fn object(label: &str, id: u8) -> SiteObject {
		let (file, mime) = (PathBuf::new(), String::new());
		SiteObject { label: label.into(), file, id: [id; 32], size: 1, mime }
	}

	#[test]
	fn files_with_the_same_bytes_are_one_object() {
		let files = [object("a.html", 1), object("b.html", 2), object("c.html", 1)];
		let objects = distinct(&files);
		let labels: Vec<&str> = objects.iter().map(|o| o.label.as_str()).collect();
		assert_eq!(labels, ["a.html", "b.html"]);
	}
}
