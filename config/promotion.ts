/**
 * Promotion check: a pull request may give staging or prod only a version that ran in the previous environment.
 * "Ran" is read from the base commit (main), which deploy.yml applies to every environment and smoke-tests: the
 * version the previous environment serves live there (`app.releases.<app.liveColor>.version`). The check reads the
 * files, it does not trust the pull request's title or labels.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';

/** The order versions travel in: each environment after the first accepts only its predecessor's live version. */
export const PROMOTION_ORDER = ['dev', 'staging', 'prod'] as const;

/** The release fields of an environment file that name image versions. */
export const RELEASE_FIELDS = [
  'app.releases.blue.version',
  'app.releases.green.version',
  'app.migration.version',
] as const;

type Tree = Record<string, unknown>;

function read(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);
}

/** The version an environment file serves live: `app.releases.<app.liveColor>.version`. */
export function liveVersion(config: unknown): string | undefined {
  const colour = read(config, 'app.liveColor');
  const version = typeof colour === 'string' ? read(config, `app.releases.${colour}.version`) : undefined;
  return typeof version === 'string' ? version : undefined;
}

/**
 * Problems of one environment's change: every release field whose value differs from the base must name the
 * version the previous environment serves live on the base.
 * @param file the environment file, for messages (e.g. `config/prod.yaml`)
 * @param previous the previous environment's name, for messages
 */
export function promotionProblems(
  file: string,
  before: unknown,
  after: unknown,
  previous: string,
  previousOnBase: unknown,
): string[] {
  const allowed = liveVersion(previousOnBase);
  return RELEASE_FIELDS.filter((field) => read(after, field) !== read(before, field))
    .filter((field) => read(after, field) !== allowed)
    .map(
      (field) =>
        `${file}: ${field}: ${JSON.stringify(read(after, field))} is not allowed (only the version ${previous} ` +
        `runs live on the base commit: ${allowed === undefined ? 'none found' : JSON.stringify(allowed)})`,
    );
}

/**
 * Checks the working tree of `root` against the git commit `base`: for staging and prod, each changed release
 * field must name the live version of the previous environment on `base`.
 * @returns the problems, empty when the promotion is allowed
 */
export function checkPromotion(root: string, base: string): string[] {
  const atBase = (environment: string): unknown =>
    parse(
      execFileSync('git', ['show', `${base}:config/${environment}.yaml`], { cwd: root, encoding: 'utf8' }),
    );
  return PROMOTION_ORDER.slice(1).flatMap((environment, index) => {
    const file = `config/${environment}.yaml`;
    const after: unknown = parse(readFileSync(join(root, file), 'utf8'));
    const previous = PROMOTION_ORDER[index];
    return promotionProblems(file, atBase(environment), after, previous, atBase(previous));
  });
}

/**
 * An environment file with a release prepared: the idle colour (the one `app.liveColor` does not name) and the
 * migration get `version`, comments and layout kept. Traffic moves later, by flipping `app.liveColor`
 * (docs/runbooks/release.md).
 * @throws Error naming the field when the file has no valid `app.liveColor`
 */
export function withRelease(text: string, version: string): string {
  if (!/^(?!latest$)[\w][\w.-]{0,127}$/.test(version)) {
    throw new Error(
      `version: ${JSON.stringify(version)} is not allowed (an image tag such as 1.5.0, never "latest")`,
    );
  }
  const document = parseDocument(text);
  const live = document.getIn(['app', 'liveColor']);
  if (live !== 'blue' && live !== 'green') {
    throw new Error(`app.liveColor: ${JSON.stringify(live)} is not allowed (one of "blue", "green")`);
  }
  document.setIn(['app', 'releases', live === 'blue' ? 'green' : 'blue', 'version'], version);
  document.setIn(['app', 'migration', 'version'], version);
  return document.toString();
}
