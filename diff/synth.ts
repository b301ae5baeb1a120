/**
 * Synthesizes a git ref and the working tree for comparison, each by its own app: the ref is checked out into a
 * temporary git worktree that borrows this checkout's node_modules (a symlink: no install, no network), built with
 * its own scripts/build.mjs and synthesized with its own dist/main.js. So the base must build with the current
 * dependencies. The worktree is always removed, also on failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DiffInputError } from './compare';

interface Run {
  readonly code: number;
  readonly output: string;
}

function git(args: readonly string[], cwd: string): Run {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.error) throw new DiffInputError(`git ${args.join(' ')}: ${result.error.message}`);
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`.trim() };
}

function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, output: output.trim() }));
  });
}

/** The top folder of the git checkout that contains `cwd`. */
export function repositoryRoot(cwd: string): string {
  const result = git(['rev-parse', '--show-toplevel'], cwd);
  if (result.code !== 0) throw new DiffInputError(`${cwd} is not inside a git checkout: ${result.output}`);
  return result.output;
}

/** The commit a ref names, and its short form. */
export function resolveCommit(ref: string, root: string): { sha: string; short: string } {
  const result = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root);
  if (result.code !== 0 || result.output === '') {
    throw new DiffInputError(
      `"${ref}" is not a commit in ${root} (a branch, tag or commit such as origin/main)`,
    );
  }
  const sha = result.output.split('\n')[0];
  return { sha, short: sha.slice(0, 7) };
}

/** The environment of a synth: the caller's, with the default backend and an absolute WMS_ENV_FILE. */
function synthEnv(env: NodeJS.ProcessEnv, outdir: string, cwd: string): NodeJS.ProcessEnv {
  const { WMS_BACKEND: _backend, ...rest } = env;
  return {
    ...rest,
    CDKTF_OUTDIR: outdir,
    ...(env.WMS_ENV_FILE ? { WMS_ENV_FILE: resolve(cwd, env.WMS_ENV_FILE) } : {}),
  };
}

/**
 * Builds and synthesizes the app of the checkout at `tree` into `outdir` (`node scripts/build.mjs`, then
 * `node dist/main.js`, both with `tree` as the working folder).
 * @throws DiffInputError with the app's output when either step fails
 */
export async function synthesizeTree(
  tree: string,
  outdir: string,
  label: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<void> {
  const build = await runNode(['scripts/build.mjs'], tree, env);
  if (build.code !== 0) throw new DiffInputError(`${label}: scripts/build.mjs failed:\n${build.output}`);
  const synth = await runNode(['dist/main.js'], tree, synthEnv(env, outdir, cwd));
  if (synth.code !== 0) throw new DiffInputError(`${label}: synth failed:\n${synth.output}`);
}

/** Where the two sides of a ref comparison were synthesized. */
export interface RefSynthesis {
  /** The base's cdktf.out. */
  readonly before: string;
  /** The label of the base, e.g. `HEAD (740df72)`. */
  readonly beforeLabel: string;
  /** The working tree's cdktf.out (or the `--after` folder). */
  readonly after: string;
}

/** Options of {@link withRefSynthesis}. */
export interface RefSynthesisOptions {
  /** The base: a branch, tag or commit. */
  readonly ref: string;
  /** Any folder inside the checkout. */
  readonly cwd: string;
  /** An already synthesized after-side; when absent, the working tree is synthesized. */
  readonly after?: string;
  /** The environment to synthesize with (WMS_BACKEND is dropped). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Synthesizes `ref` (in a temporary worktree) and the working tree (unless `after` is given) in parallel, calls
 * `use` with the two output folders, and removes every temporary file and the worktree afterwards.
 */
export async function withRefSynthesis<T>(
  options: RefSynthesisOptions,
  use: (synthesis: RefSynthesis) => T | Promise<T>,
): Promise<T> {
  const root = repositoryRoot(options.cwd);
  const commit = resolveCommit(options.ref, root);
  const work = mkdtempSync(join(tmpdir(), 'wms-diff-'));
  const worktree = join(work, 'base');
  try {
    const added = git(['worktree', 'add', '--detach', worktree, commit.sha], root);
    if (added.code !== 0) throw new DiffInputError(`git worktree add ${options.ref} failed: ${added.output}`);
    const modules = join(root, 'node_modules');
    if (!existsSync(modules)) throw new DiffInputError(`${modules} is missing: run npm ci first`);
    symlinkSync(modules, join(worktree, 'node_modules'), 'dir');
    const before = join(work, 'before.out');
    const after = options.after ?? join(work, 'after.out');
    const beforeLabel = `${options.ref} (${commit.short})`;
    await Promise.all([
      synthesizeTree(worktree, before, beforeLabel, options.env, options.cwd),
      options.after
        ? Promise.resolve()
        : synthesizeTree(root, after, 'working tree', options.env, options.cwd),
    ]);
    // Awaited here, so the worktree outlives everything `use` does with it (the exact mode plans for minutes).
    return await use({ before, beforeLabel, after });
  } finally {
    removeWorktree(root, worktree);
    rmSync(work, { recursive: true, force: true });
  }
}

function removeWorktree(root: string, worktree: string): void {
  // Unlink the borrowed node_modules first, so nothing can follow the link into this checkout's dependencies.
  const link = join(worktree, 'node_modules');
  if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(link);
  if (existsSync(worktree)) git(['worktree', 'remove', '--force', worktree], root);
  rmSync(worktree, { recursive: true, force: true });
  git(['worktree', 'prune'], root);
}
