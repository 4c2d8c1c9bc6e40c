//! Which local files a `put` stores, and the path each gets in the index; the paths users
//! type for `get`, `rm` and `share`.
//!
//! A file is stored under its own name, a directory under its name with everything in it
//! (like `cp -r`), both under the `--as` prefix if one is given: `put notes.txt photos --as
//! backup` stores `backup/notes.txt` and `backup/photos/...`. Directories are walked like a
//! site's ([`crate::tree::walk`]): symbolic links and names that are not UTF-8 are
//! refused, nesting and the number of files are bounded.

use super::errors::vault_error;
use crate::{
	tree::{self, symlink, unreadable},
	Error,
};
use std::{
	collections::BTreeMap,
	fs,
	path::{Path, PathBuf},
};

/// Most files one `put` stores: each is a lease, and the chain allows an account 1 024.
pub const MAX_PUT_FILES: usize = 1_000;

/// A local file to store and its path in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
	/// Its path in the index (relative, `/`-separated).
	pub path: String,
	/// The file on this machine.
	pub file: PathBuf,
}

/// A path of the index as a user types it (`docs/a.txt`; a leading or trailing `/` is
/// dropped): refused unless it is one the index can hold (no empty, `.` or `..` component).
pub fn parse_index_path(text: &str) -> Result<String, Error> {
	let path = text.trim_matches('/');
	bitcloud_vault::validate_path(path).map_err(|e| vault_error("not a path of the index", e))?;
	Ok(path.to_string())
}

/// The `--as` prefix: a directory of the index, as [`parse_index_path`] takes it.
pub fn parse_prefix(text: &str) -> Result<String, Error> {
	parse_index_path(text).map_err(|e| e.map_message(|e| format!("--as {text:?}: {e}")))
}

/// `relative` under `prefix`.
pub fn join(prefix: Option<&str>, relative: &str) -> String {
	match prefix {
		Some(prefix) => format!("{prefix}/{relative}"),
		None => relative.to_string(),
	}
}

/// The files of `inputs` with their paths in the index under `prefix`, sorted by that path.
/// Refused: nothing to store, more than [`MAX_PUT_FILES`] files, two inputs giving one path,
/// an input that is a symbolic link or neither a file nor a directory, and what
/// [`parse_index_path`] refuses.
pub fn sources(inputs: &[PathBuf], prefix: Option<&str>) -> Result<Vec<Source>, Error> {
	let mut files = BTreeMap::new();
	for input in inputs {
		let name = name_of(input)?;
		let kind = fs::symlink_metadata(input).map_err(|e| unreadable(input, e))?.file_type();
		if kind.is_symlink() {
			return Err(symlink(input));
		}
		if kind.is_dir() {
			tree::walk(input, &format!("{name}/"), &mut |relative, file| {
				add(&relative, file, &mut files)
			})?;
		} else if kind.is_file() {
			add(&name, input.clone(), &mut files)?;
		} else {
			let why = "neither a file nor a directory";
			return Err(Error::Input(format!("{}: {why}", input.display())));
		}
	}
	if files.is_empty() {
		return Err(Error::Input("no file to store: the directories given are empty".into()));
	}
	files
		.into_iter()
		.map(|(relative, file)| {
			let path = join(prefix, &relative);
			bitcloud_vault::validate_path(&path)
				.map_err(|e| vault_error(&file.display().to_string(), e))?;
			Ok(Source { path, file })
		})
		.collect()
}

/// The name `input` is stored under: its last component (that of its canonical path for
/// `.` or `..`).
fn name_of(input: &Path) -> Result<String, Error> {
	let canonical;
	let named = match input.file_name() {
		Some(_) => input,
		None => {
			canonical = input.canonicalize().map_err(|e| unreadable(input, e))?;
			&canonical
		},
	};
	let name = named.file_name().ok_or_else(|| {
		let why = "has no name to store it under: give a directory below it";
		Error::Input(format!("{} {why}", input.display()))
	})?;
	name.to_str()
		.map(str::to_string)
		.ok_or_else(|| Error::Input(format!("{}: the name is not UTF-8", input.display())))
}

/// Adds `file` as `relative`, unless another input took that path or there are too many.
fn add(relative: &str, file: PathBuf, files: &mut BTreeMap<String, PathBuf>) -> Result<(), Error> {
	if let Some(other) = files.get(relative) {
		return Err(Error::Input(format!(
			"{} and {} would both be stored as {relative}: store them in two runs with \
			 different --as",
			other.display(),
			file.display()
		)));
	}
	if files.len() >= MAX_PUT_FILES {
		return Err(Error::Input(format!(
			"more than {MAX_PUT_FILES} files: store at most that many at once"
		)));
	}
	files.insert(relative.to_string(), file);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn paths(sources: &[Source]) -> Vec<&str> {
		sources.iter().map(|s| s.path.as_str()).collect()
	}

	#[test]
	fn typed_paths_are_trimmed_and_checked() {
		assert_eq!(parse_index_path("/docs/a.txt/").unwrap(), "docs/a.txt");
		for bad in ["", "/", "a//b", "../etc", "a/./b", "a\0b"] {
			let error = parse_index_path(bad).unwrap_err();
			assert!(matches!(error, Error::Input(_)), "{bad:?}: {error:?}");
		}
		let error = parse_prefix("a/../b").unwrap_err().to_string();
		assert!(error.starts_with("--as \"a/../b\"") && error.contains("'..'"), "{error}");
		assert_eq!(join(Some("backup"), "x/y"), "backup/x/y");
		assert_eq!(join(None, "x/y"), "x/y");
	}

	#[test]
	fn files_keep_their_name_and_directories_their_tree() {
		let dir = tempfile::tempdir().unwrap();
		let root = dir.path();
		fs::create_dir_all(root.join("photos/2024")).unwrap();
		fs::write(root.join("photos/2024/a.jpg"), "a").unwrap();
		fs::write(root.join("photos/b.jpg"), "b").unwrap();
		fs::write(root.join("notes.txt"), "n").unwrap();
		let inputs = [root.join("notes.txt"), root.join("photos")];
		let found = sources(&inputs, None).unwrap();
		assert_eq!(paths(&found), ["notes.txt", "photos/2024/a.jpg", "photos/b.jpg"]);
		assert_eq!(found[1].file, root.join("photos/2024/a.jpg"));
		let under = sources(&inputs, Some("backup/old")).unwrap();
		assert_eq!(under[0].path, "backup/old/notes.txt");
		// `.` is stored under the directory's own name.
		let dot = sources(&[root.join("photos/.")], None).unwrap();
		assert_eq!(paths(&dot), ["photos/2024/a.jpg", "photos/b.jpg"]);
	}

	#[test]
	fn links_clashes_and_empty_inputs_are_refused() {
		let dir = tempfile::tempdir().unwrap();
		let root = dir.path();
		fs::create_dir_all(root.join("a")).unwrap();
		fs::create_dir_all(root.join("b")).unwrap();
		fs::write(root.join("a/x.txt"), "1").unwrap();
		fs::write(root.join("b/x.txt"), "2").unwrap();
		let clash = sources(&[root.join("a/x.txt"), root.join("b/x.txt")], None).unwrap_err();
		assert!(clash.to_string().contains("would both be stored as x.txt"), "{clash}");

		std::os::unix::fs::symlink("/etc/passwd", root.join("a/passwd")).unwrap();
		let link = sources(&[root.join("a")], None).unwrap_err().to_string();
		assert!(link.contains("a symbolic link"), "{link}");
		let top = sources(&[root.join("a/passwd")], None).unwrap_err().to_string();
		assert!(top.contains("a symbolic link"), "{top}");

		fs::create_dir_all(root.join("empty")).unwrap();
		let empty = sources(&[root.join("empty")], None).unwrap_err().to_string();
		assert!(empty.contains("no file to store"), "{empty}");
		let missing = sources(&[root.join("nope")], None).unwrap_err();
		assert!(matches!(missing, Error::Input(_)), "{missing:?}");
	}

	#[test]
	fn the_number_of_files_is_bounded() {
		let dir = tempfile::tempdir().unwrap();
		for i in 0..=MAX_PUT_FILES {
			fs::write(dir.path().join(i.to_string()), "").unwrap();
		}
		let error = sources(&[dir.path().to_path_buf()], None).unwrap_err().to_string();
		assert!(error.contains(&format!("more than {MAX_PUT_FILES} files")), "{error}");
	}
}
