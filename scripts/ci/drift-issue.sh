#!/usr/bin/env bash
# Turns the nightly drift results into one GitHub issue: opened when a stack of any environment differs from
# main (or could not be planned), updated while it does (one issue, found by its exact title), and closed with a
# comment once every stack matches again.
#
# Usage: drift-issue.sh --results <dir> --repo <owner/name> --run-url <url>
#   <dir> holds the drift jobs' results-*.tsv (`<environment>\t<stack>\t<status>`) and summary-*.md files.
# Needs gh with GH_TOKEN (issues: write). DRIFT_ISSUE_TITLE overrides the title.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

results="" repo="" run_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --results) results="$2" ;;
    --repo) repo="$2" ;;
    --run-url) run_url="$2" ;;
    *) die "drift-issue.sh: unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$results" ] && [ -n "$repo" ] && [ -n "$run_url" ] ||
  die "usage: drift-issue.sh --results DIR --repo OWNER/NAME --run-url URL"
title="${DRIFT_ISSUE_TITLE:-Infrastructure drift detected}"

mapfile -t tsv_files < <(find "$results" -name 'results-*.tsv' 2>/dev/null | sort)
lines="$(cat "${tsv_files[@]}" /dev/null | sort -u)"
drifted="$(awk -F'\t' '$3 == "changes" { print "- `" $1 "` **" $2 "**: differs from main" }' <<<"$lines")"
errored="$(awk -F'\t' '$3 == "error" { print "- `" $1 "` **" $2 "**: could not be planned" }' <<<"$lines")"
[ "${#tsv_files[@]}" -gt 0 ] || errored="- no drift results at all: every drift job failed before planning"

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{
  echo "The nightly drift check ([run]($run_url)) planned every stack of every environment against \`main\`."
  echo
  if [ -n "$drifted" ]; then
    echo "**Drifted** (a plan of main has changes: a change outside Terraform, or main not applied yet):"
    echo
    echo "$drifted"
    echo
  fi
  if [ -n "$errored" ]; then
    echo "**Not checked** (the plan failed: see the run):"
    echo
    echo "$errored"
    echo
  fi
  echo "What to do: read the plans below (and the run's job summaries); revert a manual change by running the"
  echo "deploy workflow, or adopt it with a pull request. See docs/delivery.md#drift."
  echo
  find "$results" -name 'summary-*.md' 2>/dev/null | sort | xargs -r cat
} | head -c 60000 >"$body"

list="$(gh issue list --repo "$repo" --state open --search "$title in:title" --limit 100 --json number,title)" ||
  die "gh issue list failed"
existing="$(TITLE="$title" node -e '
  const issues = JSON.parse(process.argv[1]);
  const found = issues.find((i) => i.title === process.env.TITLE);
  if (found) console.log(found.number);
' "$list")"

if [ -n "$drifted$errored" ]; then
  if [ -n "$existing" ]; then
    gh issue edit "$existing" --repo "$repo" --body-file "$body" >/dev/null || die "gh issue edit failed"
    gh issue comment "$existing" --repo "$repo" --body "Still differs from main in $run_url (description updated)." \
      >/dev/null || die "gh issue comment failed"
    echo "drift: updated issue #$existing"
  else
    gh issue create --repo "$repo" --title "$title" --body-file "$body" || die "gh issue create failed"
    echo "drift: opened an issue"
  fi
  printf '### Drift\n\n%s\n%s\n' "$drifted" "$errored" | summary
elif [ -n "$existing" ]; then
  gh issue close "$existing" --repo "$repo" --comment "No drift in $run_url: every stack matches main. Closing." \
    >/dev/null || die "gh issue close failed"
  echo "drift: none; closed issue #$existing"
else
  echo "drift: none"
  printf '### Drift\n\nNone: every stack matches main.\n' | summary
fi
