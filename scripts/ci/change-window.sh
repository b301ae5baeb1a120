#!/usr/bin/env bash
# The change window of production applies: no apply on a Friday in the team's time zone, unless the run was
# started by hand (workflow_dispatch) with force=true and a reason, which goes to the job summary.
#
# Environment:
#   FREEZE_FRIDAYS     true to enforce the window (the prod stage), anything else lets every day through
#   EVENT_NAME         github.event_name of the run
#   FORCE, REASON      the workflow_dispatch inputs (FORCE is "true" or "false")
#   ACTOR              who started the run (for the summary)
#   CHANGE_WINDOW_TZ   the team's time zone (IANA name), default Europe/Dublin; UTC with a warning when this
#                      machine has no zone data for it
#   NOW                the time to judge (anything `date -d` reads), default now: for tests and dry runs
# Exits 0 when the apply may go ahead, 1 (with the reason) when it may not.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tz="${CHANGE_WINDOW_TZ:-Europe/Dublin}"
if [ "$tz" != UTC ] && [ ! -e "/usr/share/zoneinfo/$tz" ]; then
  note "warning: no zone data for $tz on this runner: judging the day in UTC"
  tz=UTC
fi
day="$(TZ="$tz" date -d "${NOW:-now}" +%u)"
when="$(TZ="$tz" date -d "${NOW:-now}" '+%A %Y-%m-%d %H:%M %Z')"

if [ "${FREEZE_FRIDAYS:-}" != true ] || [ "$day" != 5 ]; then
  echo "change window: open ($when, $tz)"
  exit 0
fi

reason="$(printf '%s' "${REASON:-}" | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')"
if [ "${EVENT_NAME:-}" = workflow_dispatch ] && [ "${FORCE:-}" = true ] && [ -n "$reason" ]; then
  echo "change window: closed ($when), forced by ${ACTOR:-unknown}: $reason"
  printf '### Friday apply forced\n\nForced by **%s** on %s.\n\nReason: %s\n\n' "${ACTOR:-unknown}" "$when" "$reason" |
    summary
  exit 0
fi
die "no production apply on Fridays ($when). To force one, run the deploy workflow by hand (Run workflow) with force=true and a reason; otherwise it goes out on Monday: re-run this workflow or merge the next change."
