#!/usr/bin/env bash
# Rolls the WMS Rollouts of one cluster back to their last good version in the Argo Rollouts controller, without a
# Terraform plan: the pipeline path of docs/runbooks/rollback.md (rollback.yml runs it after the environment's
# approval, as the apply role).
#
# Usage: rollback.sh --kubeconfig FILE --namespace NS --rollout NAME [--rollout NAME ...] [--timeout-seconds N]
#
# Per Rollout, decided from its status:
#   release in progress, paused or aborted (status.currentPodHash != status.stableRS): abort it, as
#     `kubectl argo rollouts abort` does (status.abort=true through the status subresource): all traffic returns
#     to the stable ReplicaSet at once and the canary scales down. Done when the phase is Degraded (aborted).
#   release complete (the new version is the stable one): undo to the previous revision, as
#     `kubectl argo rollouts undo` does, on the Deployment the Rollout runs (workloadRef): its pod template becomes
#     the template of the previous ReplicaSet (revision annotation), hash label removed. The controller rolls that
#     version out (fast-tracked by the Rollout's rollbackWindow). Done when the Rollout is Healthy on a new hash.
# Prints the seconds each rollback took. Needs kubectl and node. Exit 1 on any failure or timeout.
#
# Terraform still holds the released version: merge the revert of `app.version` (the summary says which) so the next
# apply does not roll the bad version out again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

kubeconfig="" namespace="" timeout=180 rollouts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig) kubeconfig="$2" ;;
    --namespace) namespace="$2" ;;
    --rollout) rollouts+=("$2") ;;
    --timeout-seconds) timeout="$2" ;;
    *) die "rollback.sh: unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$kubeconfig" ] && [ -n "$namespace" ] && [ "${#rollouts[@]}" -gt 0 ] ||
  die "usage: rollback.sh --kubeconfig FILE --namespace NS --rollout NAME [--rollout NAME ...] [--timeout-seconds N]"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "rollback.sh: --timeout-seconds \"$timeout\" is not a number of seconds"
poll="${ROLLBACK_POLL_SECONDS:-5}"

k() { kubectl --kubeconfig "$kubeconfig" -n "$namespace" "$@"; }

# Fields of a Rollout (JSON on stdin), tab-separated: current hash, stable hash, phase, workloadRef kind and name,
# uid, the selector as key=value,...
read -r -d '' rollout_fields <<'JS' || true
const r = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const s = r.status ?? {};
const ref = r.spec?.workloadRef ?? {};
const selector = Object.entries(r.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
console.log([s.currentPodHash ?? '-', s.stableRS ?? '-', s.phase ?? '-', ref.kind ?? '-', ref.name ?? '-', r.metadata.uid, selector || '-'].join('\t'));
JS

# From the ReplicaSets (JSON on stdin) the Rollout owns: writes the JSON patch that restores the pod template of the
# previous revision to the file given, and prints `<revision>\t<images>` of that revision.
read -r -d '' previous_template <<'JS' || true
const fs = require('node:fs');
const [uid, patchFile] = process.argv.slice(1);
const list = JSON.parse(fs.readFileSync(0, 'utf8'));
const owned = (list.items ?? [])
  .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.controller))
  .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.['rollout.argoproj.io/revision'] ?? 0) }))
  .filter((x) => x.revision > 0)
  .sort((a, b) => b.revision - a.revision);
if (owned.length < 2) {
  process.stderr.write(`no previous revision: the Rollout owns ${owned.length} revisioned ReplicaSet(s)\n`);
  process.exit(1);
}
const { rs, revision } = owned[1];
const template = JSON.parse(JSON.stringify(rs.spec.template));
delete template.metadata?.labels?.['rollouts-pod-template-hash'];
fs.writeFileSync(patchFile, JSON.stringify([{ op: 'replace', path: '/spec/template', value: template }]));
console.log(`${revision}\t${(template.spec?.containers ?? []).map((c) => c.image).join(',')}`);
JS

fields() { k get rollout "$1" -o json | node -e "$rollout_fields"; }

# Waits until `check <rollout>` succeeds, at most $timeout seconds from $2 (epoch seconds).
wait_for() {
  local rollout="$1" started="$2" check="$3" what="$4"
  while ! "$check" "$rollout"; do
    [ $(($(date +%s) - started)) -lt "$timeout" ] || die "$rollout: not $what after ${timeout} s"
    sleep "$poll"
  done
}
aborted() { [ "$(fields "$1" | cut -f3)" = Degraded ]; }
promoted_other() {
  local current stable phase
  IFS=$'\t' read -r current stable phase _ <<<"$(fields "$1")"
  [ "$phase" = Healthy ] && [ "$current" = "$stable" ] && [ "$current" != "${before[$1]}" ]
}

declare -A before
patch_file="$(mktemp)"
trap 'rm -f "$patch_file"' EXIT
for rollout in "${rollouts[@]}"; do
  info="$(fields "$rollout")" || die "$rollout: cannot read the Rollout in namespace $namespace"
  IFS=$'\t' read -r current stable phase ref_kind ref_name uid selector <<<"$info"
  before[$rollout]="$current"
  started="$(date +%s)"
  if [ "$current" != "$stable" ]; then
    note "$rollout: release in progress ($phase, canary $current, stable $stable): aborting"
    k patch rollout "$rollout" --subresource=status --type=merge -p '{"status":{"abort":true}}' >/dev/null ||
      die "$rollout: the abort patch failed"
    wait_for "$rollout" "$started" aborted "aborted (Degraded)"
    action="aborted: all traffic on the stable version ($stable)"
  else
    [ "$ref_kind" = Deployment ] || die "$rollout: runs no Deployment (workloadRef $ref_kind), cannot undo"
    [ "$selector" != - ] || die "$rollout: has no selector"
    previous="$(k get replicasets -l "$selector" -o json | node -e "$previous_template" "$uid" "$patch_file")" ||
      die "$rollout: no previous revision to return to"
    IFS=$'\t' read -r revision images <<<"$previous"
    note "$rollout: release complete on $current: undoing to revision $revision ($images)"
    k patch deployment "$ref_name" --type=json --patch-file "$patch_file" >/dev/null ||
      die "$rollout: the undo patch failed"
    wait_for "$rollout" "$started" promoted_other "Healthy on the previous revision"
    action="undone to revision $revision ($images)"
  fi
  elapsed=$(($(date +%s) - started))
  echo "$rollout: $action in ${elapsed} s"
  printf -- '- `%s`: %s in %s s\n' "$rollout" "$action" "$elapsed" | summary
done
