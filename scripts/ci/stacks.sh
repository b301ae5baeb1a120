#!/usr/bin/env bash
# Lists the stacks of one environment in a synthesized cdktf.out, in dependency order (each after the stacks it
# depends on), one a line.
#
# Usage: stacks.sh <cdktf.out> <environment> [aws|cluster|all] [--with-deps]
#   aws       stacks whose providers are AWS only: they plan and apply from any network (GitHub-hosted runners)
#   cluster   stacks with a kubernetes or helm provider: they need the private EKS endpoint (CodeBuild runner in the VPC)
#   all       both (default)
#   --with-deps  prints `<stack> <dependency>,<dependency>` (the manifest's dependencies, any group)
#
# The environment of a stack is the one it records in its synthesized JSON (`"//".wms.environment`), not a guess
# from its name; the order comes from cdktf's manifest.json. Exits 1 when the environment has no stack at all.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: stacks.sh <cdktf.out> <environment> [aws|cluster|all] [--with-deps]"
outdir="$1" environment="$2" group="${3:-all}" with_deps="${4:-}"
case "$group" in aws | cluster | all) ;; *) die "stacks.sh: group \"$group\" is not aws, cluster or all" ;; esac
[ -f "$outdir/manifest.json" ] || die "stacks.sh: $outdir/manifest.json not found (run npm run synth first)"

read -r -d '' program <<'JS' || true
const fs = require('node:fs');
const path = require('node:path');
const [outdir, environment, group, withDeps] = process.argv.slice(1);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const CLUSTER_PROVIDERS = ['kubernetes', 'helm'];
const stacks = new Map();
for (const [name, entry] of Object.entries(manifest.stacks)) {
  const json = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8'));
  const env = json['//']?.wms?.environment;
  if (env !== environment) continue;
  const providers = Object.keys(json.provider ?? {});
  const kind = providers.some((p) => CLUSTER_PROVIDERS.includes(p)) ? 'cluster' : 'aws';
  stacks.set(name, { kind, dependencies: [...(entry.dependencies ?? [])].sort() });
}
if (stacks.size === 0) {
  process.stderr.write(`stacks.sh: no stack of environment "${environment}" in ${outdir}\n`);
  process.exit(1);
}
const ordered = [];
const state = new Map();
const visit = (name, trail) => {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'visiting') throw new Error(`dependency cycle: ${[...trail, name].join(' -> ')}`);
  state.set(name, 'visiting');
  for (const dep of stacks.get(name).dependencies) if (stacks.has(dep)) visit(dep, [...trail, name]);
  state.set(name, 'done');
  ordered.push(name);
};
for (const name of [...stacks.keys()].sort()) visit(name, []);
for (const name of ordered) {
  const stack = stacks.get(name);
  if (group !== 'all' && stack.kind !== group) continue;
  console.log(withDeps === '--with-deps' ? `${name} ${stack.dependencies.join(',')}` : name);
}
JS
node -e "$program" "$outdir" "$environment" "$group" "$with_deps"
