/**
 * `npm run check-promotion -- --base <commit>`: refuses a change that gives staging or prod a version that did not
 * run in the previous environment on the base commit (config/promotion.ts). The release pull requests' check.
 */
import { checkPromotion } from '../config/promotion';
import { commandLine } from './lib/cli';

const { values } = commandLine('check-promotion', {
  usage: `Usage: npm run check-promotion -- --base <commit>

Compares config/staging.yaml and config/prod.yaml of the working tree with <commit> (the pull request's base):
every changed release version (app.releases.blue/green.version, app.migration.version) must be the version the
previous environment (dev for staging, staging for prod) serves live on <commit>. Exit 0 when allowed, 1 with
one line per refused field.

--base <commit>  the commit to compare with, e.g. origin/main (required)
--help           print this help
`,
  options: { base: { type: 'string' } },
});
if (typeof values.base !== 'string') {
  process.stderr.write('check-promotion: --base is required (see --help)\n');
  process.exit(2);
}
const problems = checkPromotion(process.cwd(), values.base);
for (const problem of problems) process.stderr.write(`${problem}\n`);
if (problems.length > 0) process.exit(1);
console.log('promotion allowed: every changed version ran in the previous environment');
