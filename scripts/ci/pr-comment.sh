#!/usr/bin/env bash
# The body of the sticky pull-request comment: the semantic diff (npm run diff --format markdown), which commit
# it describes, where the plans are, and a cut with a note when it is longer than a comment may be.
#
# Usage: pr-comment.sh <diff.md> <head-sha> <run-url> [<cost.md>] > comment.md
#   A missing or empty diff.md says that the diff could not be produced (see the run); <cost.md> (npm run cost
#   --base-ref) follows the diff, or a line saying the estimate could not be produced.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: pr-comment.sh <diff.md> <head-sha> <run-url> [<cost.md>]"
diff_file="$1" sha="$2" run_url="$3" cost_file="${4:-}"
limit="${COMMENT_LIMIT_CHARS:-60000}" # GitHub refuses comments over 65,536 characters

echo "## Infrastructure diff"
echo
if [ -s "$diff_file" ]; then
  size="$(wc -c <"$diff_file")"
  head -c "$limit" "$diff_file"
  if [ "$size" -gt "$limit" ]; then
    echo
    echo
    echo "_The diff is cut here ($size characters); the whole report is the \`diff\` artifact of [the run]($run_url)._"
  fi
else
  echo "**The diff could not be produced**: see [the run]($run_url)."
fi
if [ -n "$cost_file" ]; then
  echo
  if [ -s "$cost_file" ]; then
    head -c 6000 "$cost_file"
  else
    echo "**The cost estimate could not be produced**: see [the run]($run_url)."
  fi
fi
echo
echo "---"
echo "Synthesized diff of \`${sha:0:12}\` against the base branch. Terraform plans per environment: the job summaries of [the run]($run_url). Review guide: docs/delivery.md."
