/**
 * Publishes a synthesized app into its output folder (`cdktf.out`) so that a kill at any instant leaves either
 * the previous tree or the new one, manifest included, and two synths never interleave.
 *
 * How: `cdktf.out` is a symbolic link to a generation folder beside it (`cdktf.out.gen-<pid>-<time>`, at the
 * same depth, so paths relative to a stack folder such as the local backend's `../../../terraform-state` keep
 * working). A new generation is the complete staging folder, renamed; the link is replaced by rename(2), which
 * is atomic; the previous generation is removed afterwards. Files that synthesis does not write (a stack's
 * `.terraform` provider cache, its lock file) are carried into the new generation as hard links, so the previous
 * generation stays whole until the switch.
 *
 * A lock (`cdktf.out.lock`, a folder renamed into place with its owner inside) serializes publishers: a second
 * one waits, then fails with the holder's pid. A lock whose owner process is gone is taken over. Under the lock,
 * the leftovers of killed runs are removed: staging folders of dead processes, generations no longer linked,
 * temporary links.
 *
 * An output folder that is still a plain folder (from an older version) is converted on first publish: it is
 * renamed aside and the link put in its place; a kill between those two renames leaves the old folder under
 * `cdktf.out.old-<pid>`, which the next publish puts back before anything else.
 */
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** How long a publisher waits for the lock by default: a publish holds it for well under a second. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** Options of {@link publishOutput}. */
export interface PublishOptions {
  /**
   * How long to wait for another publisher to release the lock, in milliseconds.
   * @default DEFAULT_LOCK_TIMEOUT_MS (60000)
   */
  readonly lockTimeoutMs?: number;
  /**
   * Called once when the lock is held by another process and this one starts waiting.
   * @default - a line on stderr
   */
  readonly onWait?: (holderPid: number) => void;
}

/** The output folder stayed locked by another live process for longer than the timeout. */
export class OutputLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputLockedError';
  }
}

/**
 * The staging folder of this process for `outdir`, emptied: synthesize into it, then {@link publishOutput} it.
 * The staging folders of processes that are gone (killed before they published) are removed first; no lock is
 * needed for that, since only their owner ever uses them.
 */
export function stagingFolder(outdir: string): string {
  const parent = dirname(outdir);
  const prefix = `${basename(outdir)}.staging-`;
  for (const entry of readdirOrEmpty(parent)) {
    const pid = entry.startsWith(prefix) ? Number(entry.slice(prefix.length)) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      rmSync(join(parent, entry), { recursive: true, force: true });
    }
  }
  return `${outdir}.staging-${process.pid}`;
}

/**
 * Makes the synthesized app in `staging` the content of `outdir`, atomically and under the output lock. The
 * staging folder is consumed (it becomes the new generation).
 * @param outdir absolute path of the output folder
 * @returns the names of the published stacks
 * @throws OutputLockedError when another live process holds the lock for longer than the timeout
 */
export function publishOutput(staging: string, outdir: string, options: PublishOptions = {}): string[] {
  const release = acquireLock(outdir, options);
  try {
    removeLeftovers(outdir);
    const previous = currentTarget(outdir);
    if (previous) carryOver(previous, staging);
    const generation = `${outdir}.gen-${process.pid}-${Date.now().toString(36)}`;
    renameSync(staging, generation);
    switchLink(outdir, generation);
    if (previous && previous !== outdir) rmSync(previous, { recursive: true, force: true });
    return readdirSync(join(generation, 'stacks')).sort();
  } finally {
    release();
  }
}

/** The folder `outdir` currently shows: the generation it links to, itself when it is a plain folder, or none. */
function currentTarget(outdir: string): string | undefined {
  const stat = lstatOrUndefined(outdir);
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) return join(dirname(outdir), readlinkSync(outdir));
  return outdir;
}

/** Points `outdir` at `generation` with one rename; a plain folder is first moved aside (see the module doc). */
function switchLink(outdir: string, generation: string): void {
  const link = `${outdir}.link-${process.pid}`;
  rmSync(link, { force: true });
  symlinkSync(basename(generation), link);
  const stat = lstatOrUndefined(outdir);
  if (stat && !stat.isSymbolicLink()) {
    const aside = `${outdir}.old-${process.pid}`;
    renameSync(outdir, aside);
    renameSync(link, outdir);
    rmSync(aside, { recursive: true, force: true });
  } else {
    renameSync(link, outdir);
  }
}

/**
 * Keeps what synthesis does not write: every entry of a previous stack folder that the new one lacks
 * (`.terraform`, `.terraform.lock.hcl`, plan files) is hard-linked into the new one.
 */
function carryOver(previous: string, staging: string): void {
  const before = join(previous, 'stacks');
  const after = join(staging, 'stacks');
  if (!isDirectory(before)) return;
  const stacks = new Set(readdirSync(after));
  for (const stack of readdirSync(before)) {
    if (!stacks.has(stack) || !isDirectory(join(before, stack))) continue;
    const written = new Set(readdirSync(join(after, stack)));
    for (const entry of readdirSync(join(before, stack))) {
      if (!written.has(entry)) linkTree(join(before, stack, entry), join(after, stack, entry));
    }
  }
}

/** Recreates a tree of hard links (symbolic links copied as links; a copy where hard links fail). */
function linkTree(source: string, target: string): void {
  const stat = lstatSync(source);
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
  else if (stat.isDirectory()) {
    mkdirSync(target);
    for (const entry of readdirSync(source)) linkTree(join(source, entry), join(target, entry));
  } else {
    try {
      linkSync(source, target);
    } catch {
      copyFileSync(source, target);
    }
  }
}

/**
 * Removes what killed runs left beside `outdir`: staging folders and temporary links of dead processes,
 * generations that `outdir` does not link to, and lock debris. A folder moved aside by an interrupted conversion
 * is put back first. Only names of the forms this module creates are touched.
 */
function removeLeftovers(outdir: string): void {
  const parent = dirname(outdir);
  const name = basename(outdir);
  const siblings = readdirOrEmpty(parent).filter((entry) => entry.startsWith(`${name}.`));
  const aside = siblings.find((entry) => /^\.old-\d+$/.test(entry.slice(name.length)));
  if (aside && !lstatOrUndefined(outdir)) renameSync(join(parent, aside), outdir);
  const current = currentTarget(outdir);
  for (const entry of siblings) {
    const suffix = entry.slice(name.length);
    const path = join(parent, entry);
    const pid =
      /^\.(?:staging|link|old)-(\d+)$/.exec(suffix)?.[1] ?? /^\.lock\.new-(\d+)-\w+$/.exec(suffix)?.[1];
    const deadOwner = pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid));
    const staleGeneration = /^\.gen-\d+-\w+$/.test(suffix) && path !== current;
    const oldDeadMarker = /^\.lock\.dead-\w+$/.test(suffix) && Date.now() - statSync(path).mtimeMs > 60_000;
    if (deadOwner || staleGeneration || oldDeadMarker) rmSync(path, { recursive: true, force: true });
  }
}

interface LockOwner {
  readonly pid: number;
  readonly nonce: string;
}

/**
 * Takes the output lock, waiting for a live holder up to the timeout.
 * @returns the function that releases it
 */
function acquireLock(outdir: string, options: PublishOptions): () => void {
  const lock = `${outdir}.lock`;
  const owner: LockOwner = { pid: process.pid, nonce: randomBytes(8).toString('hex') };
  const candidate = `${lock}.new-${owner.pid}-${owner.nonce}`;
  mkdirSync(dirname(outdir), { recursive: true });
  mkdirSync(candidate);
  writeFileSync(join(candidate, 'owner.json'), JSON.stringify(owner));
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  let waitingFor: number | undefined;
  for (;;) {
    try {
      // A folder renamed onto an existing non-empty folder fails: whoever renames first holds the lock.
      renameSync(candidate, lock);
      return () => {
        if (readOwner(lock)?.nonce === owner.nonce) rmSync(lock, { recursive: true, force: true });
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        rmSync(candidate, { recursive: true, force: true });
        throw error;
      }
    }
    const holder = readOwner(lock);
    if (holder && !isAlive(holder.pid)) {
      // Only one process can rename the dead holder's lock to its marker; the marker is removed a minute later.
      try {
        renameSync(lock, `${lock}.dead-${holder.nonce}`);
      } catch {
        // Another process took it over first, or the lock is gone: try again.
      }
      continue;
    }
    if (Date.now() > deadline) {
      rmSync(candidate, { recursive: true, force: true });
      throw new OutputLockedError(
        `${outdir} is being published by process ${holder?.pid ?? '(unknown)'} (lock ${lock}); ` +
          `waited ${timeout} ms. Run one synth at a time, or stop that process.`,
      );
    }
    if (holder && waitingFor !== holder.pid) {
      waitingFor = holder.pid;
      (options.onWait ?? defaultOnWait(outdir))(holder.pid);
    }
    sleep(50);
  }
}

function defaultOnWait(outdir: string): (pid: number) => void {
  return (pid) => process.stderr.write(`waiting for process ${pid}, which is publishing ${outdir}\n`);
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  return lstatOrUndefined(path)?.isDirectory() ?? false;
}

function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
