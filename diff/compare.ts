/**
 * Reads two synthesized trees and pairs their entries: by Terraform address, then, for resources that changed
 * address, by `moved` block, construct path or physical name. Annotates each pair with the attributes that changed
 * and whether Terraform would replace the resource.
 */
import { GuardrailsInputError, loadStacks } from '../guardrails/load';
import type { JsonObject } from '../model/values';
import { isObject } from '../model/values';
import { canonical, diffValues, schemaPath } from './attributes';
import type { AttributeChange, EntryChange, EntryKind, Replacement, StackDiff } from './model';
import type { ReplacementCertainty } from './resource-facts';
import { PHYSICAL_NAME, replacementPaths, touchesForcing } from './resource-facts';
import { propagate } from './propagate';

/** A problem with the input (a missing folder, invalid JSON, an unknown ref); the CLI exits 2 on it. */
export class DiffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}

/** The synthesized stacks of one side of the comparison. */
export interface SynthTree {
  /** What this side is, for the report: `HEAD (740df72)`, a folder path, `working tree`. */
  readonly label: string;
  /** Each stack's parsed `cdk.tf.json` by stack name. */
  readonly stacks: ReadonlyMap<string, JsonObject>;
}

/**
 * Reads a `cdktf.out` folder (every stack its `manifest.json` lists), a stack folder or a `cdk.tf.json` file.
 * @throws DiffInputError when the path is missing or holds invalid JSON
 */
export function loadTree(path: string, label: string = path): SynthTree {
  try {
    const stacks = new Map<string, JsonObject>();
    for (const input of loadStacks(path)) {
      if (!isObject(input.json))
        throw new DiffInputError(`${path}: stack ${input.stackName} is not a JSON object`);
      stacks.set(input.stackName, input.json);
    }
    return { label, stacks };
  } catch (error) {
    if (error instanceof GuardrailsInputError) throw new DiffInputError(error.message);
    throw error;
  }
}

interface Entry {
  readonly address: string;
  readonly kind: EntryKind;
  readonly type: string;
  readonly constructPath?: string;
  readonly body: unknown;
}

/** Sections that are not compared: the volatile `terraform` block, stack metadata, and move/import directives. */
const SKIPPED_SECTIONS = new Set(['terraform', '//', 'moved', 'import']);

/** A resource body without cdktf's volatile `"//".metadata` (other `"//"` keys such as suppressions stay). */
function withoutMetadata(body: JsonObject): JsonObject {
  const meta = body['//'];
  if (!isObject(meta) || meta.metadata === undefined) return body;
  const { metadata: _metadata, ...rest } = meta;
  const { '//': _meta, ...attributes } = body;
  return Object.keys(rest).length > 0 ? { '//': rest, ...attributes } : attributes;
}

function constructPathOf(body: unknown): string | undefined {
  const meta = isObject(body) ? body['//'] : undefined;
  const path = isObject(meta) && isObject(meta.metadata) ? meta.metadata.path : undefined;
  return typeof path === 'string' ? path : undefined;
}

function entriesOf(stack: JsonObject): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const [section, content] of Object.entries(stack)) {
    if (SKIPPED_SECTIONS.has(section) || !isObject(content)) continue;
    for (const [key, value] of Object.entries(content)) {
      if (section === 'resource' || section === 'data') {
        if (!isObject(value)) continue;
        for (const [name, body] of Object.entries(value)) {
          if (!isObject(body)) continue;
          const address = section === 'data' ? `data.${key}.${name}` : `${key}.${name}`;
          entries.set(address, {
            address,
            kind: section === 'data' ? 'data' : 'resource',
            type: key,
            constructPath: constructPathOf(body),
            body: withoutMetadata(body),
          });
        }
      } else {
        const kind: EntryKind =
          section === 'output' ? 'output' : section === 'provider' ? 'provider' : 'other';
        entries.set(`${section}.${key}`, { address: `${section}.${key}`, kind, type: section, body: value });
      }
    }
  }
  return entries;
}

/** The `moved` blocks of a stack: new address by old address. */
function movedBlocks(stack: JsonObject | undefined): Map<string, string> {
  const moves = new Map<string, string>();
  const list = stack?.moved;
  if (!Array.isArray(list)) return moves;
  for (const block of list) {
    if (isObject(block) && typeof block.from === 'string' && typeof block.to === 'string') {
      moves.set(block.from, block.to);
    }
  }
  return moves;
}

/** The value at a schema path, following every element of a list; empty values count as absent. */
function valueAt(body: unknown, path: string): string | undefined {
  let current: unknown[] = [body];
  for (const key of path.split('.')) {
    current = current.flatMap((value) => {
      const items = Array.isArray(value) ? value : [value];
      return items.filter(isObject).map((item) => item[key]);
    });
  }
  const present = current.filter(
    (value) =>
      value !== undefined &&
      value !== null &&
      !(Array.isArray(value) && value.length === 0) &&
      !(isObject(value) && Object.keys(value).length === 0),
  );
  return present.length === 0 ? undefined : canonical(present);
}

function related(path: string, forcing: string): boolean {
  return touchesForcing(schemaPath(path), forcing);
}

/** Annotates attribute changes with the replacements they force and returns the resulting replacement, if any. */
function assessReplacement(
  type: string,
  before: unknown,
  after: unknown,
  attributes: readonly AttributeChange[],
): { attributes: AttributeChange[]; replacement?: Replacement } {
  const paths = replacementPaths(type);
  if (!paths) return { attributes: [...attributes] };
  const forcing = new Map<string, ReplacementCertainty>();
  const candidates: [string, ReplacementCertainty][] = [
    ...paths.yes.map((path): [string, ReplacementCertainty] => [path, 'yes']),
    ...(paths.may ?? []).map((path): [string, ReplacementCertainty] => [path, 'may']),
  ];
  for (const [path, certainty] of candidates) {
    if (valueAt(before, path) !== valueAt(after, path)) forcing.set(path, certainty);
  }
  if (forcing.size === 0) return { attributes: [...attributes] };
  const annotated = attributes.map((change) => {
    const matches = [...forcing]
      .filter(([path]) => related(change.path, path))
      .map(([, certainty]) => certainty);
    if (matches.length === 0) return change;
    return { ...change, forcesReplacement: matches.includes('yes') ? ('yes' as const) : ('may' as const) };
  });
  const certain = [...forcing].filter(([, certainty]) => certainty === 'yes').map(([path]) => path);
  const possible = [...forcing].filter(([, certainty]) => certainty === 'may').map(([path]) => path);
  const replacement: Replacement =
    certain.length > 0
      ? { certainty: 'yes', reasons: certain.map((path) => `${path} forces a new resource`) }
      : { certainty: 'may', reasons: possible.map((path) => `${path} may force a new resource`) };
  return { attributes: annotated, replacement };
}

function bodyObject(entry: Entry | undefined): JsonObject | undefined {
  return entry && isObject(entry.body) ? entry.body : undefined;
}

function pairChange(
  before: Entry,
  after: Entry,
  move?: { byBlock: boolean; how: string },
): EntryChange | undefined {
  const attributes = diffValues('', before.body, after.body);
  const pathChanged = before.constructPath !== after.constructPath;
  if (attributes.length === 0 && !move && !pathChanged) return undefined;
  const assessed =
    after.kind === 'resource'
      ? assessReplacement(after.type, before.body, after.body, attributes)
      : { attributes };
  let replacement = assessed.replacement;
  if (move && !move.byBlock) {
    replacement = {
      certainty: 'yes',
      reasons: [
        `${move.how} and no moved block: Terraform destroys ${before.address} and creates ${after.address}`,
        ...(replacement?.certainty === 'yes' ? replacement.reasons : []),
      ],
    };
  }
  return {
    address: after.address,
    kind: after.kind,
    type: after.type,
    action: replacement?.certainty === 'yes' ? 'replace' : 'update',
    constructPath: after.constructPath,
    previousConstructPath: pathChanged ? before.constructPath : undefined,
    movedFrom: move ? before.address : undefined,
    movedByBlock: move ? move.byBlock : undefined,
    replacement,
    attributes: assessed.attributes,
    before: bodyObject(before),
    after: bodyObject(after),
  };
}

function single(entry: Entry, action: 'create' | 'delete'): EntryChange {
  return {
    address: entry.address,
    kind: entry.kind,
    type: entry.type,
    action,
    constructPath: entry.constructPath,
    attributes: [],
    before: action === 'delete' ? bodyObject(entry) : undefined,
    after: action === 'create' ? bodyObject(entry) : undefined,
  };
}

function physicalName(entry: Entry): string | undefined {
  const attribute = PHYSICAL_NAME[entry.type];
  const value = attribute && isObject(entry.body) ? entry.body[attribute] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Pairs removed and added resources that are the same resource under a new address. */
function findMoves(
  removed: Entry[],
  added: Entry[],
  moved: Map<string, string>,
): { before: Entry; after: Entry; byBlock: boolean; how: string }[] {
  const moves: { before: Entry; after: Entry; byBlock: boolean; how: string }[] = [];
  const take = (before: Entry, after: Entry, byBlock: boolean, how: string) => {
    moves.push({ before, after, byBlock, how });
    removed.splice(removed.indexOf(before), 1);
    added.splice(added.indexOf(after), 1);
  };
  for (const before of [...removed]) {
    const target = added.find((entry) => entry.address === moved.get(before.address));
    if (target) take(before, target, true, 'moved block');
  }
  for (const before of [...removed]) {
    if (before.kind !== 'resource' || !before.constructPath) continue;
    const target = added.find(
      (entry) =>
        entry.kind === 'resource' &&
        entry.type === before.type &&
        entry.constructPath === before.constructPath,
    );
    if (target) take(before, target, false, 'same construct path, new logical id');
  }
  for (const before of [...removed]) {
    const name = before.kind === 'resource' ? physicalName(before) : undefined;
    if (!name) continue;
    const sameName = (entry: Entry) => entry.type === before.type && physicalName(entry) === name;
    const targets = added.filter(sameName);
    if (targets.length === 1 && removed.filter(sameName).length === 1) {
      take(
        before,
        targets[0],
        false,
        `same ${PHYSICAL_NAME[before.type]} "${name}", new construct path and logical id`,
      );
    }
  }
  return moves;
}

/**
 * The base entries with references to moved resources spelled with their new address, so a reference that only
 * follows a move is not a change (what it resolves to is decided by the move: kept with a moved block, replaced
 * without one, and propagate.ts spreads that).
 */
function withRenamedReferences(
  before: Map<string, Entry>,
  after: Map<string, Entry>,
  moved: Map<string, string>,
): Map<string, Entry> {
  const removed = [...before.values()].filter((entry) => !after.has(entry.address));
  const added = [...after.values()].filter((entry) => !before.has(entry.address));
  const renames = findMoves(removed, added, moved).filter((move) => move.before.kind === 'resource');
  if (renames.length === 0) return before;
  const patterns = renames.map((move) => ({
    pattern: new RegExp(
      `(?<![\\w.])${move.before.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`,
      'g',
    ),
    to: move.after.address,
  }));
  const renamed = new Map<string, Entry>();
  for (const [address, entry] of before) {
    let text = JSON.stringify(entry.body);
    for (const { pattern, to } of patterns) text = text.replace(pattern, to);
    renamed.set(address, { ...entry, body: JSON.parse(text) as unknown });
  }
  return renamed;
}

function countResources(entries: Map<string, Entry>): number {
  return [...entries.values()].filter((entry) => entry.kind === 'resource').length;
}

/** Compares one stack; either side may be missing (a stack added or removed). */
export function compareStack(name: string, before?: JsonObject, after?: JsonObject): StackDiff {
  const afterEntries = after ? entriesOf(after) : new Map<string, Entry>();
  const beforeEntries = withRenamedReferences(
    before ? entriesOf(before) : new Map<string, Entry>(),
    afterEntries,
    movedBlocks(after),
  );
  const changes: EntryChange[] = [];
  const removed: Entry[] = [];
  for (const [address, entry] of beforeEntries) {
    const counterpart = afterEntries.get(address);
    if (!counterpart) {
      removed.push(entry);
      continue;
    }
    const change = pairChange(entry, counterpart);
    if (change) changes.push(change);
  }
  const added = [...afterEntries.values()].filter((entry) => !beforeEntries.has(entry.address));
  for (const move of findMoves(removed, added, movedBlocks(after))) {
    const change = pairChange(move.before, move.after, move);
    if (change) changes.push(change);
  }
  changes.push(...removed.map((entry) => single(entry, 'delete')));
  changes.push(...added.map((entry) => single(entry, 'create')));
  changes.sort((a, b) => compareText(a.address, b.address));
  const status = !before ? 'added' : !after ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
  return propagate(
    {
      stack: name,
      status,
      resources: { before: countResources(beforeEntries), after: countResources(afterEntries) },
      changes,
    },
    before,
    after,
  );
}

/** Locale-independent string order, so reports are identical on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares every stack of two trees, sorted by stack name. */
export function compareTrees(before: SynthTree, after: SynthTree): StackDiff[] {
  const names = [...new Set([...before.stacks.keys(), ...after.stacks.keys()])].sort(compareText);
  return names.map((name) => compareStack(name, before.stacks.get(name), after.stacks.get(name)));
}
