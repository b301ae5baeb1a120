/**
 * The exact mode of the diff: real `terraform plan` of the new stack against a state built from the base, offline
 * and without credentials (docs/reviewing-diffs.md).
 *
 * 1. The base stack is planned from an empty state (`-refresh=false`, placeholder credentials, local backend,
 *    `lifecycle.prevent_destroy` lifted in this planned copy only).
 * 2. Its planned values become a state (format 4) "as if applied": unknowns filled with well-formed placeholders
 *    typed by `terraform providers schema -json` (placeholders.ts; read only when a state is built, and cached),
 *    `schema_version` from the schema, sensitive attributes listed. The unchanged base is planned again against
 *    it and what still changes is folded back, round after round, until the plan is empty (the no-op residue) or
 *    {@link MAX_ROUNDS} is reached.
 * 3. The new stack is planned against that state: Terraform's own actions and `replace_paths` (an unchanged stack
 *    whose base state was just built reuses the last round's plan, which planned the same configuration).
 *
 * The base state is cached per base stack content (the same commit and stack give the same JSON, and so the same
 * key). Providers come from a local filesystem mirror when there is one (here), else from the registry (CI).
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SynthTree } from './compare';
import { agreement } from './agreement';
import type { DiffReport, ExactAction, ExactChange, ExactCounts, ExactStack, StackDiff } from './model';
import { rehearsalOverride } from '../terraform/mock-apply';
import type { CommandResult } from '../terraform/terraform';
import { cliConfig, isolatedEnv, mirrorFor, requiredProviders, terraform } from '../terraform/terraform';
import type { SchemaBlock, ValueType } from './placeholders';
import {
  blockType,
  ctyExpression,
  fillUnknowns,
  outputType,
  placeholderUuid,
  sensitivePaths,
} from './placeholders';

/** Rounds of "plan the unchanged base, fold the changes back" before the residue is reported. */
export const MAX_ROUNDS = 6;
/** Bumped when the state construction changes, so older cached states are not reused. */
const CACHE_VERSION = 1;

/** One resource change of a plan, as `terraform show -json` gives it (the parts used here). */
export interface PlannedChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: unknown;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly replace_paths?: readonly (readonly unknown[])[];
  };
  readonly action_reason?: string;
}

/** A plan, as `terraform show -json` gives it (the parts used here). */
export interface PlanJson {
  readonly resource_changes?: readonly PlannedChange[];
  readonly output_changes?: Readonly<
    Record<string, { actions: string[]; after?: unknown; after_unknown?: unknown }>
  >;
  readonly configuration?: {
    readonly root_module?: {
      readonly resources?: readonly { address: string; provider_config_key?: string }[];
    };
  };
}

export type { ExactAction, ExactChange, ExactCounts, ExactStack } from './model';

/** Where the exact mode finds providers, keeps its cache, and works. */
export interface ExactOptions {
  /** Provider filesystem mirrors (terraform.ts discoverMirrors); providers not in one come from the registry. */
  readonly mirrors: readonly string[];
  /** Folder of cached base states and provider schemas. */
  readonly cacheDir: string;
  /** A scratch folder (one sub-folder per stack). */
  readonly workDir: string;
}

interface StateResource {
  mode: 'managed';
  type: string;
  name: string;
  provider: string;
  instances: {
    index_key?: unknown;
    schema_version: number;
    attributes: unknown;
    sensitive_attributes: unknown[];
  }[];
}

interface State {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, { value: unknown; type: unknown; sensitive?: boolean }>;
  resources: StateResource[];
  check_results: null;
}

interface ResourceSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

/** Resource schemas by type, with their value types computed once. */
class Schemas {
  private readonly types = new Map<string, ValueType & { kind: 'object' }>();

  constructor(private readonly schemas: ReadonlyMap<string, ResourceSchema>) {}

  schema(type: string): ResourceSchema {
    const schema = this.schemas.get(type);
    if (!schema) throw new Error(`exact mode: no provider schema for resource type ${type}`);
    return schema;
  }

  type(type: string): ValueType & { kind: 'object' } {
    const known = this.types.get(type);
    if (known) return known;
    const value = blockType(this.schema(type).block);
    this.types.set(type, value);
    return value;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function failure(step: string, result: CommandResult): string {
  const text = `${result.stderr}\n${result.stdout}`;
  const errors = text
    .split('\n')
    .filter((line) => /Error:/.test(line))
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim());
  const shown = errors.length > 0 ? [...new Set(errors)].slice(0, 3).join('; ') : text.trim().slice(0, 400);
  return `${step} failed: ${shown}`;
}

function outputsOf(stack: unknown): Record<string, { value?: unknown; sensitive?: unknown }> {
  return (stack as { output?: Record<string, { value?: unknown; sensitive?: unknown }> }).output ?? {};
}

/**
 * The cache file of a base stack's state: one per stack and base content (the same commit and stack give the
 * same JSON), `{ state, residue }`.
 */
export function baseStateFile(cacheDir: string, stackName: string, before: unknown): string {
  const key = hash(`${CACHE_VERSION}\n${JSON.stringify(before)}`).slice(0, 20);
  return join(cacheDir, `${stackName}-${key}.json`);
}

/**
 * The providers of a stack found in a local mirror, by source. The others are installed from the registry: on
 * GitHub-hosted runners there is no mirror and every provider downloads; here only the mirrored ones can install.
 */
export function mirroredProviders(stack: unknown, mirrors: readonly string[]): Map<string, string> {
  const mirrored = new Map<string, string>();
  for (const provider of requiredProviders(stack)) {
    const mirror = mirrorFor(mirrors, provider);
    if (mirror) mirrored.set(provider.source, mirror);
  }
  return mirrored;
}

/**
 * The CLI configuration of a stack's workspace: mirrored providers from their mirror, the rest from the registry.
 * When nothing is mirrored (GitHub-hosted runners), downloads go to a plugin cache beside the base states, so each
 * provider downloads once per cache, not once per stack and run. (With a mirror, the cache is left out: Terraform
 * links mirrored providers, and would copy them into a cache.)
 */
export function installationConfig(
  mirrored: ReadonlyMap<string, string>,
  required: number,
  cacheDir: string,
): string {
  if (mirrored.size > 0 || required === 0) return cliConfig(mirrored);
  const plugins = join(cacheDir, 'plugins');
  mkdirSync(plugins, { recursive: true });
  return `plugin_cache_dir = ${JSON.stringify(plugins)}\n${cliConfig(mirrored)}`;
}

/** Why a stack cannot be planned offline without looking at its providers, or undefined. */
export function unplannableReason(stack: unknown): string | undefined {
  const data = (stack as { data?: Record<string, unknown> }).data ?? {};
  const reasons: string[] = [];
  if ('terraform_remote_state' in data)
    reasons.push("reads other stacks' outputs through terraform_remote_state (needs the real backend)");
  const cluster = requiredProviders(stack)
    .map((provider) => provider.name)
    .filter((name) => name === 'kubernetes' || name === 'helm');
  if (cluster.length > 0)
    reasons.push(
      `its ${cluster.join(' and ')} provider${cluster.length > 1 ? 's talk' : ' talks'} to a live cluster`,
    );
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** The provider address a state resource is bound to, from the plan's configuration. */
function providerAddress(plan: PlanJson, address: string, source: string): string {
  const resources = plan.configuration?.root_module?.resources ?? [];
  const key = resources.find((resource) => resource.address === address)?.provider_config_key ?? '';
  const alias = key.includes('.') ? key.slice(key.indexOf('.') + 1) : '';
  return `provider["${source}"]${alias ? `.${alias}` : ''}`;
}

/** The address without an instance key (`aws_x.y["a"]` -> `aws_x.y`). */
function resourceAddress(change: PlannedChange): string {
  return `${change.type}.${change.name}`;
}

/** Folds the managed resource changes of a plan into a state: new values as if applied. */
export function foldPlan(
  state: State,
  plan: PlanJson,
  schemas: Schemas,
  sources: Map<string, string>,
  outputs: Readonly<Record<string, { value?: unknown; sensitive?: unknown }>>,
): number {
  let folded = 0;
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== 'managed') continue;
    const actions = change.change.actions;
    if (actions.length === 1 && actions[0] === 'no-op') continue;
    folded += 1;
    const address = resourceAddress(change);
    let resource = state.resources.find((r) => `${r.type}.${r.name}` === address);
    if (actions.includes('delete') && !actions.includes('create')) {
      if (resource) resource.instances = resource.instances.filter((i) => i.index_key !== change.index);
      continue;
    }
    if (!resource) {
      const source =
        sources.get(change.type.split('_')[0]) ??
        `registry.terraform.io/hashicorp/${change.type.split('_')[0]}`;
      resource = {
        mode: 'managed',
        type: change.type,
        name: change.name,
        provider: providerAddress(plan, address, source),
        instances: [],
      };
      state.resources.push(resource);
    }
    const schema = schemas.schema(change.type);
    const prior = resource.instances.find((i) => i.index_key === change.index);
    const attributes = fillUnknowns(
      change.change.after,
      change.change.after_unknown,
      schemas.type(change.type),
      { type: change.type, address: change.address, path: [] },
      prior?.attributes,
    );
    const instance = {
      ...(change.index !== undefined && change.index !== null ? { index_key: change.index } : {}),
      schema_version: schema.version,
      attributes,
      sensitive_attributes: sensitivePaths(schema.block),
    };
    resource.instances = [...resource.instances.filter((i) => i !== prior), instance];
  }
  for (const [name, output] of Object.entries(plan.output_changes ?? {})) {
    if (output.actions.length === 1 && output.actions[0] === 'no-op') continue;
    folded += 1;
    if (output.actions.includes('delete')) {
      delete state.outputs[name];
      continue;
    }
    // An output is written once its value is known: the next round plans it from the resources' state.
    if (JSON.stringify(output.after_unknown ?? false).includes('true')) continue;
    const value = output.after;
    const declared = outputs[name] ?? {};
    state.outputs[name] = {
      value,
      type: outputTypeOf(declared.value, value, schemas),
      ...(declared.sensitive === true ? { sensitive: true } : {}),
    };
  }
  state.resources = state.resources.filter((r) => r.instances.length > 0);
  state.serial += 1;
  return folded;
}

/**
 * The state type of an output: a whole attribute reference (`${aws_x.y.attr}`) has the attribute's schema type
 * (a list stays a list); anything else has the type of its value (a literal list is a tuple).
 */
function outputTypeOf(expression: unknown, value: unknown, schemas: Schemas): unknown {
  const match =
    typeof expression === 'string'
      ? /^\$\{([a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z0-9_]+)\}$/.exec(expression)
      : null;
  if (match) {
    const attribute = schemas.type(match[1]).attributes[match[2]];
    if (attribute) return ctyExpression(attribute);
  }
  return outputType(value);
}

/** What a plan still changes, one line each (`aws_x.y: update`, `output.z: update`). */
export function residueOf(plan: PlanJson): string[] {
  const lines = (plan.resource_changes ?? [])
    .filter(
      (c) => c.mode === 'managed' && !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'),
    )
    .map((c) => `${c.address}: ${c.change.actions.join('+')}`);
  for (const [name, output] of Object.entries(plan.output_changes ?? {})) {
    if (!(output.actions.length === 1 && output.actions[0] === 'no-op'))
      lines.push(`output.${name}: ${output.actions.join('+')}`);
  }
  return lines;
}

function dotted(path: readonly unknown[]): string {
  return path
    .map((step, index) => (typeof step === 'number' ? `[${step}]` : `${index > 0 ? '.' : ''}${String(step)}`))
    .join('');
}

/** The diff's reading of a plan: one entry per resource Terraform changes, and Terraform's counts. */
export function exactChanges(plan: PlanJson): { changes: ExactChange[]; counts: ExactCounts } {
  const changes: ExactChange[] = [];
  const counts = { create: 0, update: 0, replace: 0, delete: 0, move: 0 };
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== 'managed') continue;
    const actions = change.change.actions;
    const moved = change.previous_address !== undefined && change.previous_address !== change.address;
    let action: ExactAction | undefined;
    if (actions.includes('create') && actions.includes('delete')) action = 'replace';
    else if (actions.includes('create')) action = 'create';
    else if (actions.includes('delete')) action = 'delete';
    else if (actions.includes('update')) action = 'update';
    else if (moved) action = 'move';
    if (!action) continue;
    if (moved) counts.move += 1;
    if (action !== 'move') counts[action] += 1;
    changes.push({
      address: change.address,
      ...(moved ? { previousAddress: change.previous_address } : {}),
      action,
      replacePaths: (change.change.replace_paths ?? []).map(dotted),
    });
  }
  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { changes, counts };
}

/** A prepared working folder for one stack: providers installed, ready to plan configurations. */
class StackWorkspace {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    cliConfigText: string,
  ) {
    mkdirSync(dir, { recursive: true });
    // A state left by an earlier run would be read by `init` (local backend) and planned against.
    rmSync(join(dir, 'terraform.tfstate'), { force: true });
    writeFileSync(join(dir, 'cli.tfrc'), cliConfigText);
    this.env = isolatedEnv(join(dir, 'cli.tfrc'));
  }

  /** Writes the configuration to plan (with prevent_destroy lifted, offline backend and credentials). */
  configure(json: unknown): void {
    writeFileSync(join(this.dir, 'cdk.tf.json'), JSON.stringify(json));
    writeFileSync(join(this.dir, 'zz_offline_override.tf.json'), JSON.stringify(rehearsalOverride(json)));
  }

  run(args: string[]): Promise<CommandResult> {
    return terraform(args, this.dir, this.env);
  }

  async init(): Promise<string | undefined> {
    const init = await this.run(['init', '-input=false', '-no-color', '-backend=true']);
    return init.code === 0 ? undefined : failure('terraform init', init);
  }

  /** Plans the configured stack against `state` (none: empty) and returns the JSON plan or the error. */
  async plan(state?: State): Promise<PlanJson | string> {
    const statePath = join(this.dir, 'terraform.tfstate');
    if (state) writeFileSync(statePath, JSON.stringify(state));
    else rmSync(statePath, { force: true });
    const plan = await this.run([
      'plan',
      '-refresh=false',
      '-input=false',
      '-no-color',
      '-lock=false',
      '-out=plan.bin',
    ]);
    if (plan.code !== 0) return failure('terraform plan', plan);
    const show = await this.run(['show', '-json', '-no-color', 'plan.bin']);
    if (show.code !== 0) return failure('terraform show', show);
    return JSON.parse(show.stdout) as PlanJson;
  }

  async schemas(cacheFile: string): Promise<Map<string, ResourceSchema> | string> {
    if (!existsSync(cacheFile)) {
      const result = await this.run(['providers', 'schema', '-json']);
      if (result.code !== 0) return failure('terraform providers schema', result);
      const all = JSON.parse(result.stdout) as {
        provider_schemas?: Record<string, { resource_schemas?: Record<string, ResourceSchema> }>;
      };
      const resources: Record<string, ResourceSchema> = {};
      for (const provider of Object.values(all.provider_schemas ?? {}))
        Object.assign(resources, provider.resource_schemas ?? {});
      writeFileSync(`${cacheFile}.tmp`, JSON.stringify(resources));
      copyFileSync(`${cacheFile}.tmp`, cacheFile);
      rmSync(`${cacheFile}.tmp`, { force: true });
    }
    return new Map(
      Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, ResourceSchema>),
    );
  }
}

function emptyState(seed: string): State {
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: placeholderUuid(seed),
    outputs: {},
    resources: [],
    check_results: null,
  };
}

/** The addresses of resources with `lifecycle.prevent_destroy = true` in a synthesized stack. */
export function protectedAddresses(stack: unknown): Set<string> {
  const found = new Set<string>();
  const resources = (stack as { resource?: Record<string, Record<string, unknown>> }).resource ?? {};
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(byName)) {
      if ((body as { lifecycle?: { prevent_destroy?: unknown } }).lifecycle?.prevent_destroy === true)
        found.add(`${type}.${name}`);
    }
  }
  return found;
}

/**
 * Plans `after` against a state built from `before` (undefined: a new stack, planned from an empty state).
 * Never throws for a stack that cannot be planned: it says why (`unavailable`).
 */
export async function exactPlan(
  stackName: string,
  before: unknown,
  after: unknown,
  options: ExactOptions,
): Promise<ExactStack> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const unavailable = (reason: string): ExactStack => ({ status: 'unavailable', reason, seconds: seconds() });
  const reason = unplannableReason(after) ?? (before ? unplannableReason(before) : undefined);
  if (reason) return unavailable(reason);

  const providers = requiredProviders(after);
  const mirrored = mirroredProviders(after, options.mirrors);
  mkdirSync(options.cacheDir, { recursive: true });
  const workspace = new StackWorkspace(
    join(options.workDir, stackName),
    installationConfig(mirrored, providers.length, options.cacheDir),
  );
  workspace.configure(before ?? after);
  const initError = await workspace.init();
  if (initError) {
    const missing = providers.filter((p) => !mirrored.has(p.source)).map((p) => `${p.source} ${p.version}`);
    return unavailable(
      missing.length > 0
        ? `${missing.join(', ')} not in a local mirror and not downloadable here (${initError})`
        : initError,
    );
  }
  const sources = new Map(providers.map((p) => [p.name, p.source]));

  let state = emptyState(stackName);
  let rounds = 0;
  let residue: string[] = [];
  let cached = false;
  // The last plan of the unchanged base against the state being built: the plan of `after` too when `after` is
  // the same configuration (one terraform plan and show fewer, each loading the provider schemas).
  let basePlan: PlanJson | undefined;
  if (before) {
    const cacheFile = baseStateFile(options.cacheDir, stackName, before);
    if (existsSync(cacheFile)) {
      const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as { state: State; residue: string[] };
      ({ state, residue } = entry);
      cached = true;
    } else {
      // The schemas type the placeholders of the folded values; a cached state needs none (and no schema load).
      const providerKey = hash(providers.map((p) => `${p.source}@${p.version}`).join(',')).slice(0, 16);
      const schemaMap = await workspace.schemas(join(options.cacheDir, `schemas-${providerKey}.json`));
      if (typeof schemaMap === 'string') return unavailable(schemaMap);
      const schemas = new Schemas(schemaMap);
      for (;;) {
        const plan = await workspace.plan(rounds === 0 ? undefined : state);
        if (typeof plan === 'string') return unavailable(`base: ${plan}`);
        residue = residueOf(plan);
        if (residue.length === 0 || rounds === MAX_ROUNDS) {
          basePlan = plan;
          break;
        }
        foldPlan(state, plan, schemas, sources, outputsOf(before));
        rounds += 1;
      }
      writeFileSync(`${cacheFile}.tmp`, JSON.stringify({ state, residue }));
      copyFileSync(`${cacheFile}.tmp`, cacheFile);
      rmSync(`${cacheFile}.tmp`, { force: true });
    }
  }
  const unchanged = basePlan !== undefined && JSON.stringify(before) === JSON.stringify(after);
  let plan: PlanJson | string;
  if (unchanged && basePlan) {
    plan = basePlan;
  } else {
    workspace.configure(after);
    plan = await workspace.plan(before ? state : undefined);
  }
  if (typeof plan === 'string') return unavailable(plan);
  const { changes, counts } = exactChanges(plan);
  // Terraform checks prevent_destroy in the new configuration (a removed resource block takes its lifecycle
  // with it), and the planned copy lifted it, so a replacement of a protected resource is marked here.
  const guarded = protectedAddresses(after);
  const refused = changes
    .filter((c) => (c.action === 'replace' || c.action === 'delete') && guarded.has(c.address))
    .map((c) => c.address);
  return {
    status: residue.length > 0 ? 'uncertain' : 'planned',
    changes,
    counts,
    residue,
    rounds,
    cached,
    seconds: seconds(),
    refused,
  };
}

/** The default cache folder of the exact mode: `$XDG_CACHE_HOME/wms-diff`, or `~/.cache/wms-diff`. */
export function defaultPlanCache(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wms-diff');
}

/** Options of {@link withExactPlans}. */
export interface ExactPlansOptions {
  /** Provider filesystem mirrors; providers in none come from the registry. */
  readonly mirrors: readonly string[];
  /** Cache of base states and schemas. */
  readonly cacheDir: string;
  /** Receives one line per planned stack (progress and timing). */
  readonly progress?: (line: string) => void;
}

/**
 * The report with Terraform's exact plan of every changed stack attached (`exact`), and how the semantic diff
 * compares with it (`agreement`). Unchanged stacks are not planned. Stacks are planned one after the other (a plan
 * uses every core).
 */
export async function withExactPlans(
  report: DiffReport,
  before: SynthTree,
  after: SynthTree,
  options: ExactPlansOptions,
): Promise<DiffReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'wms-diff-plan-'));
  try {
    const stacks: StackDiff[] = [];
    for (const stack of report.stacks) {
      if (stack.status === 'unchanged') {
        stacks.push(stack);
        continue;
      }
      const afterJson = after.stacks.get(stack.stack);
      let exact: ExactStack;
      if (!afterJson) {
        exact = {
          status: 'unavailable',
          reason: 'the stack is removed: planning its destruction needs its configuration',
          seconds: 0,
        };
      } else {
        try {
          exact = await exactPlan(stack.stack, before.stacks.get(stack.stack), afterJson, {
            mirrors: options.mirrors,
            cacheDir: options.cacheDir,
            workDir,
          });
        } catch (error) {
          // The exact plan is an addition: a failure of it leaves the semantic diff, and says why.
          exact = {
            status: 'unavailable',
            reason: `the exact mode failed: ${error instanceof Error ? error.message : String(error)}`,
            seconds: 0,
          };
        }
      }
      options.progress?.(
        exact.status === 'unavailable'
          ? `plan ${stack.stack}: not planned (${exact.reason})`
          : `plan ${stack.stack}: ${exact.status}, ${exact.seconds}s (base state ${exact.cached ? 'from the cache' : `built in ${exact.rounds} rounds`})`,
      );
      stacks.push({
        ...stack,
        exact,
        ...(exact.status !== 'unavailable' ? { agreement: agreement(stack, exact.changes) } : {}),
      });
    }
    return { ...report, stacks };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
