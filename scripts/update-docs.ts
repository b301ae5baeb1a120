/**
 * `npm run update-docs`: rewrites the generated parts of the documentation: the alert tables of README.md and
 * docs/monitoring.md, from the rule definitions. Tests fail when they are out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withAlertTable } from '../constructs/observability/alert-rules';

for (const [file, runbookDir] of [
  ['README.md', 'docs/runbooks'],
  ['docs/monitoring.md', 'runbooks'],
] as const) {
  const before = readFileSync(file, 'utf8');
  const after = withAlertTable(before, runbookDir);
  if (after !== before) writeFileSync(file, after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
