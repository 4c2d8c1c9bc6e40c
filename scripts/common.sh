# Shared by the scripts of scripts/: sourced, not run.
#
# One target directory for every build of this project, kept across clones, so the dev
# binary, the tests and CI reuse what was built once (a cold build takes about half an
# hour on two cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bitcloud-target}"
# The one cargo profile for the dev binary and the tests: nothing is compiled twice.
export BITCLOUD_PROFILE=release

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

say() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
