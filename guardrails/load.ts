import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { checkStacks } from './engine';
import type { GuardrailsReport, StackInput } from './types';
import { isObject } from '../model/values';

/** A problem with the input (missing path, unreadable or invalid JSON, unknown layout); the CLI exits 2 on it. */
export class GuardrailsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailsInputError';
  }
}

const STACK_FILE = 'cdk.tf.json';

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function readJson(file: string): { json: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GuardrailsInputError(
      `${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  try {
    return { json: JSON.parse(text), text };
  } catch (error) {
    throw new GuardrailsInputError(
      `${file}: is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function stackFromFile(file: string, root: string, stackName: string): StackInput {
  const { json, text } = readJson(file);
  if (!isObject(json))
    throw new GuardrailsInputError(`${file}: is not a synthesized stack (expected a JSON object)`);
  return { stackName, json, source: { path: toPosix(relative(root, file)), text } };
}

function stacksFromManifest(dir: string): StackInput[] {
  const manifestFile = join(dir, 'manifest.json');
  const { json } = readJson(manifestFile);
  const stacks = isObject(json) ? json.stacks : undefined;
  if (!isObject(stacks))
    throw new GuardrailsInputError(`${manifestFile}: has no "stacks" object (is this a cdktf.out folder?)`);
  return Object.entries(stacks).map(([key, entry]) => {
    const path = isObject(entry) ? entry.synthesizedStackPath : undefined;
    if (typeof path !== 'string') {
      throw new GuardrailsInputError(`${manifestFile}: stacks.${key}.synthesizedStackPath is missing`);
    }
    const name = isObject(entry) && typeof entry.name === 'string' ? entry.name : key;
    const file = join(dir, path);
    if (!existsSync(file))
      throw new GuardrailsInputError(
        `${file}: listed in ${manifestFile} but does not exist (run cdktf synth)`,
      );
    return stackFromFile(file, dir, name);
  });
}

/**
 * Reads the synthesized stacks at `path`: a `cdktf.out` folder (its `manifest.json` lists every stack's
 * `synthesizedStackPath`), a single stack folder containing `cdk.tf.json`, or a `cdk.tf.json` file.
 *
 * Report locations are relative to `path` (to its folder for a file). Throws {@link GuardrailsInputError} when the
 * path does not exist, a file is not valid JSON, or a folder is neither layout.
 */
export function loadStacks(path: string): StackInput[] {
  const target = resolve(path);
  if (!existsSync(target)) {
    throw new GuardrailsInputError(
      `${path}: no such file or directory (expected a cdktf.out folder, a stack folder or a cdk.tf.json file; run cdktf synth first)`,
    );
  }
  if (statSync(target).isFile()) {
    const folder = dirname(target);
    const name = basename(target) === STACK_FILE ? basename(folder) : basename(target).replace(/\.json$/, '');
    return [stackFromFile(target, folder, name)];
  }
  if (existsSync(join(target, 'manifest.json'))) return stacksFromManifest(target);
  if (existsSync(join(target, STACK_FILE)))
    return [stackFromFile(join(target, STACK_FILE), target, basename(target))];
  throw new GuardrailsInputError(
    `${path}: contains neither manifest.json nor ${STACK_FILE} (expected a cdktf.out folder or a stack folder)`,
  );
}

/** Loads and checks everything at `path` (see {@link loadStacks}). */
export function checkPath(path: string): GuardrailsReport {
  return checkStacks(loadStacks(path));
}

/** Checks every stack of a synthesized `cdktf.out` folder, e.g. `checkOutdir(app.outdir)` after `app.synth()`. */
export function checkOutdir(outdir: string): GuardrailsReport {
  return checkPath(outdir);
}
