/**
 * The apply rehearsal: a `terraform test` file that applies a whole synthesized stack against mocked providers
 * (Terraform >= 1.7 `mock_provider`), which proves that the dependency graph and every reference resolve and that
 * the values the provider validates at apply time are well formed, without credentials or network.
 *
 * A mocked provider keeps the real provider's schema and validation but invents every computed attribute: a random
 * 8-character string where the schema says string. The AWS provider validates some of those values once they are
 * known (an SNS topic ARN in an alarm's actions, a KMS key ARN of an RDS cluster), so {@link MOCK_DEFAULTS}
 * gives those computed attributes well-formed values.
 * @see https://developer.hashicorp.com/terraform/language/tests/mocking
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cliConfig,
  isolatedEnv,
  offlineOverride,
  providerSources,
  providersUnavailable,
  requiredProviders,
  terraform,
} from './terraform';

/** Account id in every mocked ARN (AWS's documentation example account). */
export const MOCK_ACCOUNT_ID = '123456789012';
/** Region in every mocked regional ARN. */
export const MOCK_REGION = 'eu-west-1';

/** Default values of computed attributes for one resource or data source type, and why they are needed. */
export interface MockDefaults {
  /** Attribute values, as Terraform values (strings, numbers, booleans, lists and objects). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Which provider validation fails on the random value the mock would generate otherwise. */
  readonly why: string;
}

const arn = (service: string, resource: string, region = MOCK_REGION): string =>
  `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;
const globalArn = (service: string, resource: string): string => arn(service, resource, '');

/**
 * The one table of mock defaults, by Terraform type (`data.` prefixed for data sources), found by running the
 * rehearsal on every AWS-only stack and reading which validation failed. Only computed attributes that another
 * resource passes to a validated argument are listed; everything else keeps the mock's random value.
 */
export const MOCK_DEFAULTS: Readonly<Record<string, MockDefaults>> = {
  aws_acm_certificate: {
    defaults: {
      arn: arn('acm', 'certificate/00000000-0000-0000-0000-000000000000'),
      // The DNS validation record is built from element 0; the mock would return an empty set.
      domain_validation_options: [
        {
          domain_name: 'mock.example.com',
          resource_record_name: '_mock.mock.example.com.',
          resource_record_type: 'CNAME',
          resource_record_value: '_mock.acm-validations.aws.',
        },
      ],
    },
    why:
      'the DNS validation record indexes domain_validation_options[0] (an empty set without a default); the ' +
      "CDN's aws_cloudfront_distribution.viewer_certificate.acm_certificate_arn (through the validation) must be an ARN",
  },
  aws_cloudfront_distribution: {
    defaults: { arn: globalArn('cloudfront', 'distribution/EMOCK0000000') },
    why: "the CDN's aws_cloudwatch_log_delivery_source.resource_arn must be an ARN",
  },
  aws_cloudwatch_log_delivery_destination: {
    defaults: { arn: arn('logs', 'delivery-destination:mock', 'us-east-1') },
    why: "the CDN's aws_cloudwatch_log_delivery.delivery_destination_arn must be an ARN",
  },
  aws_s3_bucket: {
    defaults: { arn: 'arn:aws:s3:::mock-bucket' },
    why: "the CDN's aws_cloudwatch_log_delivery_destination destination_resource_arn (bucket ARN/prefix) must be an ARN",
  },
  aws_backup_vault: {
    defaults: { arn: arn('backup', 'backup-vault:mock') },
    why: 'the copy action destination_vault_arn and the restore testing plan include_vaults must be ARNs',
  },
  aws_ce_anomaly_monitor: {
    defaults: { arn: globalArn('ce', 'anomalymonitor/00000000-0000-0000-0000-000000000000') },
    why: 'aws_ce_anomaly_subscription.monitor_arn_list (the cost watch) must hold ARNs',
  },
  aws_sfn_state_machine: {
    defaults: { arn: arn('states', 'stateMachine:mock') },
    why: 'aws_scheduler_schedule.target.arn (the weekly cost report) must be an ARN',
  },
  aws_cloudwatch_log_group: {
    defaults: { arn: arn('logs', 'log-group:mock') },
    why: 'aws_flow_log.log_destination and the web ACL logging destinations must be ARNs',
  },
  aws_iam_policy: {
    defaults: { arn: globalArn('iam', 'policy/mock') },
    why: 'aws_iam_role.permissions_boundary (the CI apply role in the bootstrap stacks) must be an ARN',
  },
  aws_iam_role: {
    defaults: { arn: globalArn('iam', 'role/mock') },
    why: 'role_arn arguments (EKS cluster, node groups, flow logs, backup selections ...) must be ARNs',
  },
  aws_iam_service_linked_role: {
    defaults: { arn: globalArn('iam', 'role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig') },
    why: 'aws_config_configuration_recorder.role_arn (the account baseline) must be an ARN',
  },
  aws_kms_key: {
    defaults: { arn: arn('kms', 'key/00000000-0000-0000-0000-000000000000') },
    why: 'kms_key_id / kms_key_arn arguments (RDS, backup vault, EBS in launch templates ...) must be ARNs',
  },
  aws_launch_template: {
    defaults: { id: 'lt-0123456789abcdef0' },
    why: "aws_eks_node_group.launch_template.id must begin with 'lt-'",
  },
  aws_rds_cluster: {
    defaults: {
      arn: arn('rds', 'cluster:mock'),
      // The secret RDS manages for the master user; the mock would return an empty list.
      master_user_secret: [
        {
          kms_key_id: arn('kms', 'key/00000000-0000-0000-0000-000000000000'),
          secret_arn: arn('secretsmanager', 'secret:rds!cluster-mock-AbCdEf'),
          secret_status: 'active',
        },
      ],
    },
    why: 'backup selections take the cluster ARN; the proxy auth and outputs index master_user_secret[0]',
  },
  aws_cloudwatch_event_rule: {
    defaults: { arn: arn('events', 'rule/mock') },
    why: "aws_lambda_permission.source_arn (the database automation's restore-check triggers) must be an ARN",
  },
  aws_lambda_function: {
    defaults: { arn: arn('lambda', 'function:mock') },
    why: 'aws_secretsmanager_secret_rotation.rotation_lambda_arn and aws_cloudwatch_event_target.arn must be ARNs',
  },
  aws_secretsmanager_secret: {
    defaults: { arn: arn('secretsmanager', 'secret:mock-AbCdEf') },
    why: 'aws_db_proxy.auth[*].secret_arn must be an ARN',
  },
  aws_sns_topic: {
    defaults: { arn: arn('sns', 'mock-topic') },
    why: 'alarm_actions/ok_actions of aws_cloudwatch_metric_alarm and aws_sns_topic_policy.arn must be ARNs',
  },
  aws_sqs_queue: {
    defaults: { arn: arn('sqs', 'mock-queue') },
    why: 'aws_cloudwatch_event_target.arn (the Karpenter interruption queue) must be an ARN',
  },
  'data.aws_eks_cluster': {
    defaults: {
      endpoint: 'https://MOCK.gr7.eu-west-1.eks.amazonaws.com',
      // base64 of "mock": the kubernetes and helm provider blocks base64decode element 0.
      certificate_authority: [{ data: 'bW9jaw==' }],
    },
    why: 'the kubernetes and helm provider blocks read endpoint and certificate_authority[0].data',
  },
  aws_wafv2_ip_set: {
    defaults: { arn: arn('wafv2', 'regional/ipset/mock/00000000-0000-0000-0000-000000000000') },
    why: 'ip_set_reference_statement.arn of the warehouse rate limits must be an ARN',
  },
  aws_wafv2_web_acl: {
    defaults: { arn: arn('wafv2', 'regional/webacl/mock/00000000-0000-0000-0000-000000000000') },
    why: 'aws_wafv2_web_acl_logging_configuration.resource_arn must be an ARN',
  },
};

/** A Terraform value rendered as HCL (strings escaped, template sequences `${` and `%{` made literal). */
export function hclValue(value: unknown, indent = ''): string {
  if (typeof value === 'string') {
    // JSON string escapes are valid HCL escapes; `$${` and `%%{` keep template sequences literal.
    return JSON.stringify(value)
      .replace(/\$\{/g, () => '$${')
      .replace(/%\{/g, () => '%%{');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${hclValue(item, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const key = (name: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : JSON.stringify(name));
    return `{\n${entries.map(([name, item]) => `${inner}${key(name)} = ${hclValue(item, inner)}`).join('\n')}\n${indent}}`;
  }
  throw new Error(`cannot render ${typeof value} as HCL`);
}

/** One provider configuration a stack declares: the provider's local name and its alias, if any. */
export interface ProviderConfiguration {
  /** Local name, e.g. `aws`. */
  readonly name: string;
  /** The alias, e.g. `backup_region`; undefined for the default configuration. */
  readonly alias?: string;
}

/**
 * Every provider configuration of a synthesized stack: each `provider` block (default and aliased), plus a default
 * configuration for each required provider that has no block.
 */
export function providerConfigurations(stack: unknown): ProviderConfiguration[] {
  const blocks = (stack as { provider?: Record<string, unknown> }).provider ?? {};
  const found: ProviderConfiguration[] = [];
  for (const [name, list] of Object.entries(blocks)) {
    for (const block of Array.isArray(list) ? list : [list]) {
      const alias = (block as { alias?: unknown } | null)?.alias;
      found.push(typeof alias === 'string' ? { name, alias } : { name });
    }
  }
  for (const { name } of requiredProviders(stack)) {
    if (!found.some((configuration) => configuration.name === name && !configuration.alias))
      found.push({ name });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || (a.alias ?? '').localeCompare(b.alias ?? ''));
}

/** The resource and data source types a stack uses, `data.` prefixed for data sources, sorted. */
export function typesOf(stack: unknown): string[] {
  const { resource = {}, data = {} } = stack as { resource?: object; data?: object };
  return [...Object.keys(resource), ...Object.keys(data).map((type) => `data.${type}`)].sort();
}

/**
 * The `mock_provider` block of one provider configuration, with the {@link MOCK_DEFAULTS} of the types the stack
 * uses that belong to this provider.
 */
export function mockProviderBlock(
  configuration: ProviderConfiguration,
  types: readonly string[],
  table: Readonly<Record<string, MockDefaults>> = MOCK_DEFAULTS,
): string {
  const header = [`mock_provider ${JSON.stringify(configuration.name)} {`];
  if (configuration.alias) header.push(`  alias = ${JSON.stringify(configuration.alias)}`);
  const entries: string[] = [];
  for (const type of types) {
    const entry = table[type];
    const bare = type.replace(/^data\./, '');
    if (!entry || bare.split('_')[0] !== configuration.name) continue;
    const block = type.startsWith('data.') ? 'mock_data' : 'mock_resource';
    entries.push(
      [
        `  # ${entry.why}`,
        `  ${block} ${JSON.stringify(bare)} {`,
        `    defaults = ${hclValue(entry.defaults, '    ')}`,
        '  }',
      ].join('\n'),
    );
  }
  return [...header, ...(entries.length > 0 ? [entries.join('\n\n')] : []), '}'].join('\n');
}

/**
 * The placeholder value of another stack's output: cdktf names cross-stack outputs
 * `cross-stack-output-<type><id><attribute>`, so an output ending in `arn` gets the {@link MOCK_DEFAULTS} ARN of its
 * resource type (or a generic ARN), anything else a plain string that passes name and identifier validations.
 * Every cross-stack output of these stacks is a string.
 */
export function placeholderOutput(
  name: string,
  table: Readonly<Record<string, MockDefaults>> = MOCK_DEFAULTS,
): string {
  if (!/arn$/i.test(name)) return 'mock';
  const type = Object.keys(table)
    .filter((candidate) => name.includes(`output-${candidate}`))
    .sort((x, y) => y.length - x.length)[0];
  const known = type ? table[type].defaults.arn : undefined;
  return typeof known === 'string' ? known : arn('mock', 'mock');
}

/**
 * The `override_data` blocks that stand in for each `terraform_remote_state` of a stack: every output the stack
 * reads (found in its references) with a {@link placeholderOutput}, so no backend is read.
 */
export function remoteStateOverrides(stack: unknown): string[] {
  const states = (stack as { data?: { terraform_remote_state?: object } }).data?.terraform_remote_state ?? {};
  const text = JSON.stringify(stack);
  return Object.keys(states)
    .sort()
    .map((name) => {
      const prefix = `data.terraform_remote_state.${name}.outputs.`;
      const outputs = new Set<string>();
      for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
        outputs.add(/^[\w-]+/.exec(text.slice(at + prefix.length))?.[0] ?? '');
      }
      const names = [...outputs].filter(Boolean).sort();
      const values = {
        outputs: Object.fromEntries(names.map((output) => [output, placeholderOutput(output)])),
      };
      return [
        "# Another stack's outputs, as placeholders: the real backend is not read.",
        'override_data {',
        `  target = data.terraform_remote_state.${name}`,
        `  values = ${hclValue(values, '  ')}`,
        '}',
      ].join('\n');
    });
}

/**
 * A test file that plans or applies a whole synthesized stack: a mocked configuration for every provider
 * configuration of the stack, an `override_data` for each remote state it reads, and one run block.
 */
export function testFile(
  stack: unknown,
  command: 'plan' | 'apply',
  table: Readonly<Record<string, MockDefaults>> = MOCK_DEFAULTS,
): string {
  const types = typesOf(stack);
  const mocks = providerConfigurations(stack).map((configuration) =>
    mockProviderBlock(configuration, types, table),
  );
  const what = command === 'apply' ? 'scripts/mock-apply.ts: applies' : 'scripts/verify.ts: plans';
  const blocks = [
    `# Generated by ${what} the whole stack against mocked providers.`,
    ...mocks,
    ...remoteStateOverrides(stack),
    `run "${command}" {\n  command = ${command}\n}`,
  ];
  return `${blocks.join('\n\n')}\n`;
}

/** The test file of a stack's rehearsal: {@link testFile} with one run block that applies the whole stack. */
export function applyTestFile(
  stack: unknown,
  table: Readonly<Record<string, MockDefaults>> = MOCK_DEFAULTS,
): string {
  return testFile(stack, 'apply', table);
}

/**
 * The override file of a rehearsal: the offline override (local backend, placeholder credentials) and, for each
 * resource with `lifecycle.prevent_destroy`, that flag turned off. `terraform test` destroys what a run applied
 * when the file ends (Terraform 1.11 has no way to skip that), and prevent_destroy would fail that clean-up;
 * override files merge lifecycle blocks argument by argument, so nothing else of the resource changes.
 * @see https://developer.hashicorp.com/terraform/language/files/override#merging-resource-and-data-blocks
 */
export function rehearsalOverride(stack: unknown): Record<string, unknown> {
  const resources = (stack as { resource?: Record<string, Record<string, unknown>> }).resource ?? {};
  const protectedResources: Record<string, Record<string, unknown>> = {};
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(byName)) {
      const lifecycle = (body as { lifecycle?: { prevent_destroy?: unknown } }).lifecycle;
      if (lifecycle?.prevent_destroy === true) {
        protectedResources[type] = {
          ...protectedResources[type],
          [name]: { lifecycle: { prevent_destroy: false } },
        };
      }
    }
  }
  return {
    ...offlineOverride(stack),
    ...(Object.keys(protectedResources).length > 0 ? { resource: protectedResources } : {}),
  };
}

/** The outcome of rehearsing one stack. */
export interface RehearsalResult {
  /** The stack name. */
  readonly stack: string;
  /** `pass`, `fail`, or `skipped` (not eligible here). */
  readonly result: 'pass' | 'fail' | 'skipped';
  /** Managed resource instances in the state after the apply (passed runs only). */
  readonly resources?: number;
  /** Wall-clock seconds of init and test (rehearsed stacks only). */
  readonly seconds?: number;
  /** Why it was skipped, or what failed. */
  readonly note?: string;
}

/** Managed resource instances in a `test_state` module of `terraform test -json -verbose`, child modules included. */
export function countResources(module: unknown): number {
  const { resources = [], child_modules: children = [] } = (module ?? {}) as {
    resources?: { mode?: string }[];
    child_modules?: unknown[];
  };
  return (
    resources.filter((r) => r.mode === 'managed').length +
    children.reduce<number>((sum, child) => sum + countResources(child), 0)
  );
}

/** The error diagnostics of a `terraform test -json` event stream, one line each, without repeats. */
export function errorDiagnostics(events: readonly Record<string, unknown>[]): string[] {
  const lines = events
    .filter((event) => event.type === 'diagnostic' && event['@level'] === 'error')
    .map((event) => {
      const {
        summary = '',
        detail,
        address,
        range,
      } = (event.diagnostic ?? {}) as {
        summary?: string;
        detail?: string;
        address?: string;
        range?: { filename?: string; start?: { line?: number } };
      };
      const where = [address, range?.filename && `${range.filename}:${range.start?.line ?? '?'}`]
        .filter(Boolean)
        .join(', ');
      return `${summary}${where ? ` (${where})` : ''}${detail ? `: ${detail}` : ''}`;
    });
  // Terraform reports each diagnostic of a run twice in the stream (as it happens, and with the run's result).
  return [...new Set(lines)];
}

/** Parses the JSON lines of `terraform test -json` output (other lines are ignored). */
export function testEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resources a `terraform test -json -verbose` run planned to create (plan runs) or applied (apply runs). */
export function resourcesOfRun(
  events: readonly Record<string, unknown>[],
  command: 'plan' | 'apply',
): number {
  if (command === 'apply') {
    const state = events.find((event) => event.type === 'test_state')?.test_state as
      { root_module?: unknown } | undefined;
    return countResources(state?.root_module);
  }
  const plan = events.find((event) => event.type === 'test_plan')?.test_plan as
    { resource_changes?: { change?: { actions?: string[] } }[] } | undefined;
  return (plan?.resource_changes ?? []).filter((c) => c.change?.actions?.includes('create')).length;
}

/**
 * The managed resources a stack declares, when that is also how many a plan from an empty state creates and an
 * apply creates: when no resource has `count` or `for_each` (else undefined: only Terraform knows the instances).
 */
export function configuredResources(stack: unknown): number | undefined {
  const blocks = Object.values(
    (stack as { resource?: Record<string, Record<string, unknown>> }).resource ?? {},
  )
    .flatMap((byName) => Object.values(byName))
    .map((block) => (block ?? {}) as Record<string, unknown>);
  return blocks.some((block) => 'count' in block || 'for_each' in block) ? undefined : blocks.length;
}

/**
 * Writes `tests/<command>.tftest.hcl` ({@link testFile}) into an initialised stack folder and runs
 * `terraform test -json`: the resources planned or applied, or the error diagnostics. A passed run planned or
 * applied every resource of the stack, so their number is {@link configuredResources}; only a stack with `count` or
 * `for_each` is run with `-verbose`, whose plan or state (with every provider schema: megabytes of JSON and seconds
 * of CPU per stack) gives the instances.
 */
export async function runMockedTest(
  json: unknown,
  dir: string,
  env: NodeJS.ProcessEnv,
  command: 'plan' | 'apply',
): Promise<
  { readonly passed: true; readonly resources: number } | { readonly passed: false; readonly note: string }
> {
  mkdirSync(join(dir, 'tests'), { recursive: true });
  writeFileSync(join(dir, 'tests', `${command}.tftest.hcl`), testFile(json, command));
  const configured = configuredResources(json);
  const verbose = configured === undefined ? ['-verbose'] : [];
  const test = await terraform(['test', '-json', ...verbose, '-no-color'], dir, env);
  const events = testEvents(test.stdout);
  const run = events.find(
    (event) => event.type === 'test_run' && (event.test_run as { progress?: string }).progress === 'complete',
  )?.test_run as { status?: string } | undefined;
  if (test.code !== 0 || run?.status !== 'pass') {
    const diagnostics = errorDiagnostics(events).map((line) => `  ${line}`);
    return {
      passed: false,
      note: `terraform test failed (run ${run?.status ?? 'not completed'}):\n${diagnostics.join('\n') || test.stderr || test.stdout}`,
    };
  }
  return { passed: true, resources: configured ?? resourcesOfRun(events, command) };
}

/**
 * Rehearses one synthesized stack in `workdir/<stack>`: writes the stack (indented, so diagnostics point at useful
 * lines), the {@link rehearsalOverride} and a CLI configuration that takes mirrored providers from their mirror and
 * the others from their registry, runs `terraform init`, then applies the stack with {@link runMockedTest}, with no
 * access to real credentials. A stack whose providers can neither be found in a mirror nor downloaded is skipped,
 * with that reason; any other failure fails.
 */
export async function rehearseStack(
  stack: string,
  json: unknown,
  workdir: string,
  mirrors: readonly string[],
): Promise<RehearsalResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const { mirrored, missing } = providerSources(json, mirrors);
  const dir = join(workdir, stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'zz_offline_override.tf.json'), JSON.stringify(rehearsalOverride(json), null, 2));
  writeFileSync(join(dir, 'cli.tfrc'), cliConfig(mirrored));
  const env = isolatedEnv(join(dir, 'cli.tfrc'));
  const failed = (note: string): RehearsalResult => ({ stack, result: 'fail', seconds: seconds(), note });

  const init = await terraform(['init', '-input=false', '-no-color'], dir, env);
  const unavailable = providersUnavailable(init, missing);
  if (unavailable) return { stack, result: 'skipped', note: `not rehearsed: ${unavailable}` };
  if (init.code !== 0) return failed(`terraform init failed:\n${init.stderr || init.stdout}`);
  const run = await runMockedTest(json, dir, env, 'apply');
  if (!run.passed) return failed(run.note);
  return { stack, result: 'pass', resources: run.resources, seconds: seconds() };
}
