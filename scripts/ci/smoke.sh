#!/usr/bin/env bash
# Smoke checks after an apply: the EKS cluster is ACTIVE, its API server answers /readyz through the deploy role,
# and the WMS answers https://<domain>/api/health through the load balancer.
#
# Usage: smoke.sh <cdktf.out> <environment>
# The cluster name, region, deploy role and domain are read from the environment's synthesized app stack (the
# Kubernetes provider's `aws eks get-token` arguments and the Ingress host): what was just applied, not a copy.
# Needs aws, kubectl and curl. SMOKE_ATTEMPTS (default 10) and SMOKE_DELAY_SECONDS (default 15) set the retries.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: smoke.sh <cdktf.out> <environment>"
outdir="$1" environment="$2"
attempts="${SMOKE_ATTEMPTS:-10}" delay="${SMOKE_DELAY_SECONDS:-15}"

read -r -d '' program <<'JS' || true
const fs = require('node:fs');
const path = require('node:path');
const [outdir, environment] = process.argv.slice(1);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
for (const entry of Object.values(manifest.stacks)) {
  const json = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8'));
  if (json['//']?.wms?.environment !== environment) continue;
  const ingresses = Object.values(json.resource?.kubernetes_ingress_v1 ?? {});
  const host = ingresses.flatMap((i) => [i.spec ?? []].flat()).flatMap((s) => s.rule ?? []).map((r) => r.host).find(Boolean);
  if (!host) continue;
  const args = (json.provider?.kubernetes ?? []).flatMap((p) => p.exec ?? []).flatMap((e) => e.args ?? []);
  const arg = (flag) => args[args.indexOf(flag) + 1];
  if (!args.includes('--cluster-name')) continue;
  console.log([arg('--cluster-name'), arg('--region'), args.includes('--role-arn') ? arg('--role-arn') : '-', host].join(' '));
  process.exit(0);
}
process.stderr.write(`smoke.sh: no stack of environment "${environment}" has an Ingress host and a Kubernetes provider\n`);
process.exit(1);
JS
facts="$(node -e "$program" "$outdir" "$environment")" || die "smoke.sh: cannot find what to check in $outdir"
read -r cluster region role host <<<"$facts"
[ "$role" != - ] || role=""

retry() {
  local what="$1" i
  shift
  for ((i = 1; i <= attempts; i++)); do
    if "$@"; then return 0; fi
    [ "$i" -lt "$attempts" ] && sleep "$delay"
  done
  die "smoke check failed after $attempts attempts: $what"
}

cluster_active() {
  local status
  status="$(aws eks describe-cluster --name "$cluster" --region "$region" --query cluster.status --output text)" || return 1
  note "cluster $cluster: $status"
  [ "$status" = ACTIVE ]
}

kubeconfig="$(mktemp)"
trap 'rm -f "$kubeconfig"' EXIT
update_args=(eks update-kubeconfig --name "$cluster" --region "$region" --kubeconfig "$kubeconfig")
if [ -n "$role" ]; then
  # The apply job usually is the deploy role already; a role cannot assume itself unless its trust policy says so.
  caller="$(aws sts get-caller-identity --query Arn --output text)" || die "aws sts get-caller-identity failed"
  if [[ "$caller" != *":assumed-role/${role##*/}/"* ]]; then update_args+=(--role-arn "$role"); fi
fi

api_ready() { kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null; }
health() { curl -fsS --max-time 10 "https://$host/api/health" >/dev/null; }

retry "EKS cluster $cluster is ACTIVE" cluster_active
aws "${update_args[@]}" >/dev/null || die "aws eks update-kubeconfig failed for $cluster"
retry "kubectl get --raw /readyz on $cluster" api_ready
retry "https://$host/api/health" health

printf -- '- smoke checks passed: cluster `%s` ACTIVE, API server ready, `https://%s/api/health` OK\n' "$cluster" "$host" |
  summary
echo "smoke checks passed for $environment"
