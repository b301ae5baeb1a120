/**
 * `npm run update-docs`: rewrites the generated parts of the documentation: the alert tables of README.md and
 * docs/monitoring.md, from the rule definitions. Tests fail when they are out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withAlertTable } from '../constructs/observability/alert-rules';
import { withEnvironmentReference } from '../config/reference';
import { commandLine } from './lib/cli';

commandLine('update-docs', {
  usage: `Usage: npm run update-docs

Rewrites the generated parts of the documentation from their sources: the alert tables of README.md and
docs/monitoring.md (from the alert rules) and the environment-file reference of README.md (from the config
schema). Tests fail when they are out of date.

--help    print this help
`,
  options: {},
});

for (const [file, runbookDir] of [
  ['README.md', 'docs/runbooks'],
  ['docs/monitoring.md', 'runbooks'],
] as const) {
  const before = readFileSync(file, 'utf8');
  const alerts = withAlertTable(before, runbookDir);
  const after = file === 'README.md' ? withEnvironmentReference(alerts) : alerts;
  if (after !== before) writeFileSync(file, after);
  console.log(`${file}: ${after === before ? 'up to date' : 'updated'}`);
}
