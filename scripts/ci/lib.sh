#!/usr/bin/env bash
# Shared helpers of the scripts/ci/*.sh tools (sourced, never run). Messages go to stderr; inside GitHub Actions an
# error is also an `::error::` annotation, so it shows on the run's summary page.

die() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error::$*" >&2; else echo "error: $*" >&2; fi
  exit 1
}

note() { echo "$*" >&2; }

# Appends to the job summary when there is one (GITHUB_STEP_SUMMARY), otherwise does nothing.
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >>"$GITHUB_STEP_SUMMARY"; else cat >/dev/null; fi
}

# sha256 of a file, hex only.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# sha256 of stdin, hex only.
sha256_stdin() { sha256sum | cut -d' ' -f1; }

# The value of `key` in a key=value file (the first match), or empty.
meta_get() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# shellcheck disable=SC2034 # used by the scripts that source this file
CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
