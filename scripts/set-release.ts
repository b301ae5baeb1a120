/**
 * `npm run set-release -- --environment <env> --version <tag>`: prepares a release in config/<env>.yaml (the idle
 * colour and the migration get the version; config/promotion.ts). Used by the build workflow's dev release pull
 * request and by the promotion pull requests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PROMOTION_ORDER, withRelease } from '../config/promotion';
import { commandLine } from './lib/cli';

const { values } = commandLine('set-release', {
  usage: `Usage: npm run set-release -- --environment <dev|staging|prod> --version <tag>

Sets the idle colour's app.releases.<colour>.version and app.migration.version of config/<env>.yaml to <tag>,
keeping comments. Staging and prod accept it only if check-promotion agrees (the pull request's check).

--environment <env>  dev, staging or prod (required)
--version <tag>      the image tag, e.g. 1.6.0 (required)
--help               print this help
`,
  options: { environment: { type: 'string' }, version: { type: 'string' } },
});
const environment = String(values.environment ?? '');
if (!(PROMOTION_ORDER as readonly string[]).includes(environment)) {
  process.stderr.write(
    `set-release: --environment: ${JSON.stringify(values.environment ?? null)} is not allowed (one of ${PROMOTION_ORDER.join(', ')})\n`,
  );
  process.exit(2);
}
const file = `config/${environment}.yaml`;
try {
  writeFileSync(file, withRelease(readFileSync(file, 'utf8'), String(values.version ?? '')));
} catch (error) {
  process.stderr.write(`set-release: ${file}: ${(error as Error).message}\n`);
  process.exit(2);
}
console.log(`${file}: release ${String(values.version)} prepared on the idle colour`);
