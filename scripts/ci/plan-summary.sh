#!/usr/bin/env bash
# Markdown summary of one stack's plan, for the job summary and the drift issue: the counts and the address and
# action of every resource that changes, from `terraform show -json <planfile>` on stdin. Only addresses and
# actions are read: the JSON holds attribute values (sensitive ones too), and none of them is printed.
#
# Usage: terraform show -json tfplan | plan-summary.sh <stack> [max-lines]
# Prints: `- **<stack>**: 2 to add, 1 to change, 0 to destroy (1 replaced), 3 drifted outside Terraform`,
# then a <details> list of the changes (at most max-lines, default 100).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: terraform show -json tfplan | plan-summary.sh <stack> [max-lines]"

read -r -d '' program <<'JS' || true
const [stack, maxArg] = process.argv.slice(1);
const max = Number(maxArg);
const plan = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const verb = (actions) => {
  const key = actions.join(',');
  if (key === 'delete,create' || key === 'create,delete') return 'replace';
  if (['create', 'update', 'delete', 'read'].includes(key)) return key;
  return 'no-op';
};
const counts = { create: 0, update: 0, delete: 0, replace: 0 };
const lines = [];
for (const change of plan.resource_changes ?? []) {
  const action = verb(change.change?.actions ?? []);
  if (action === 'no-op' || action === 'read') continue;
  counts[action] += 1;
  lines.push(`  - \`${change.address}\`: ${action}`);
}
const drifted = (plan.resource_drift ?? []).length;
const add = counts.create + counts.replace;
const destroy = counts.delete + counts.replace;
let head = `- **${stack}**: ${add} to add, ${counts.update} to change, ${destroy} to destroy`;
if (counts.replace > 0) head += ` (${counts.replace} replaced)`;
if (drifted > 0) head += `, ${drifted} drifted outside Terraform`;
if (plan.errored) head += ', **plan errored**';
console.log(lines.length === 0 ? `${head}: no changes` : head);
if (lines.length > 0) {
  console.log('');
  console.log('  <details><summary>changes</summary>');
  console.log('');
  for (const line of lines.slice(0, max)) console.log(line);
  if (lines.length > max) console.log(`  - ... and ${lines.length - max} more (see the plan artifact)`);
  console.log('');
  console.log('  </details>');
}
JS
node -e "$program" "$1" "${2:-100}"
