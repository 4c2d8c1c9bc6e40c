//! Walking a directory the way `site publish` and `store put` take it: regular files only,
//! by their `/`-separated path below the directory; symbolic links, names that are not UTF-8
//! and nesting deeper than [`MAX_DEPTH`] refused with the offending path.

use crate::Error;
use std::{
	fs,
	path::{Path, PathBuf},
};

/// Deepest directory nesting walked.
pub const MAX_DEPTH: usize = 32;

/// Calls `visit(prefix + relative path, file)` for every regular file under `dir`; stops at
/// the first error, its own or `visit`'s.
pub fn walk(
	dir: &Path,
	prefix: &str,
	visit: &mut dyn FnMut(String, PathBuf) -> Result<(), Error>,
) -> Result<(), Error> {
	walk_at(dir, prefix, 0, visit)
}

fn walk_at(
	dir: &Path,
	prefix: &str,
	depth: usize,
	visit: &mut dyn FnMut(String, PathBuf) -> Result<(), Error>,
) -> Result<(), Error> {
	if depth > MAX_DEPTH {
		return Err(Error::Input(format!("{} is nested too deep", dir.display())));
	}
	for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
		let entry = entry.map_err(|e| unreadable(dir, e))?;
		let path = entry.path();
		let name = entry
			.file_name()
			.into_string()
			.map_err(|_| Error::Input(format!("{}: the name is not UTF-8", path.display())))?;
		let kind = entry.file_type().map_err(|e| unreadable(&path, e))?;
		if kind.is_symlink() {
			return Err(symlink(&path));
		}
		if kind.is_dir() {
			walk_at(&path, &format!("{prefix}{name}/"), depth + 1, visit)?;
		} else if kind.is_file() {
			visit(format!("{prefix}{name}"), path)?;
		}
	}
	Ok(())
}

/// The refusal of a symbolic link.
pub fn symlink(path: &Path) -> Error {
	let why = "a symbolic link: give what it points to instead";
	Error::Input(format!("{}: {why}", path.display()))
}

/// The refusal of a path that cannot be read.
pub fn unreadable(path: &Path, e: std::io::Error) -> Error {
	Error::Input(format!("cannot read {}: {e}", path.display()))
}
