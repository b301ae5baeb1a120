/**
 * Running the real Terraform CLI on synthesized stacks, offline: provider discovery in local filesystem mirrors,
 * a CLI configuration that prefers them, and an override file that swaps the remote backend for a local one and
 * gives the AWS provider placeholder credentials.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A provider a stack requires, as Terraform resolves it. */
export interface ProviderRequirement {
  /** Local name in the configuration, e.g. `aws`. */
  readonly name: string;
  /** Fully qualified source, e.g. `registry.terraform.io/hashicorp/aws`. */
  readonly source: string;
  /** Version constraint as written (our stacks pin exact versions). */
  readonly version: string;
}

/** Terraform's name for this machine's platform, e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

/** The providers in a synthesized stack's `terraform.required_providers`. */
export function requiredProviders(stack: unknown): ProviderRequirement[] {
  const terraform = (stack as { terraform?: { required_providers?: Record<string, unknown> } }).terraform;
  return Object.entries(terraform?.required_providers ?? {})
    .map(([name, value]) => {
      const { source = `hashicorp/${name}`, version = '' } = value as { source?: string; version?: string };
      const parts = source.split('/');
      const qualified =
        parts.length === 3
          ? source
          : `registry.terraform.io/${parts.length === 2 ? source : `hashicorp/${source}`}`;
      return { name, source: qualified.toLowerCase(), version };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const SKIPPED_ROOTS = new Set([
  'proc',
  'sys',
  'dev',
  'run',
  'tmp',
  'var',
  'boot',
  'lost+found',
  'mnt',
  'media',
]);

/**
 * Finds provider filesystem mirrors: folders holding a `registry.terraform.io` directory.
 *
 * `WMS_TF_PROVIDER_MIRROR` (a path list) wins when set. Otherwise Terraform's own implicit mirror folders are
 * searched, then every folder up to three levels below the filesystem root (system folders excepted), which
 * is where machine images put a shared mirror.
 */
export function discoverMirrors(env: NodeJS.ProcessEnv): string[] {
  if (env.WMS_TF_PROVIDER_MIRROR) return env.WMS_TF_PROVIDER_MIRROR.split(':').filter(Boolean);
  const implicit = [
    join(homedir(), '.terraform.d', 'plugins'),
    join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  const found = implicit.filter((dir) => existsSync(join(dir, 'registry.terraform.io')));
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || (dir === '/' && SKIPPED_ROOTS.has(entry.name))) continue;
      const path = join(dir, entry.name);
      if (entry.name === 'registry.terraform.io') {
        if (!found.includes(dir)) found.push(dir);
      } else if (depth < 3 && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        walk(path, depth + 1);
      }
    }
  };
  walk('/', 0);
  return found;
}

/** The mirror holding this provider version for this platform (unpacked or packed layout), if any. */
export function mirrorFor(mirrors: readonly string[], provider: ProviderRequirement): string | undefined {
  const platform = terraformPlatform();
  const type = provider.source.split('/')[2];
  return mirrors.find((mirror) => {
    const base = join(mirror, ...provider.source.split('/'));
    const unpacked = join(base, provider.version, platform);
    const packed = join(base, `terraform-provider-${type}_${provider.version}_${platform}.zip`);
    return (existsSync(unpacked) && statSync(unpacked).isDirectory()) || existsSync(packed);
  });
}

/**
 * A Terraform CLI configuration: each mirrored provider from its mirror, everything else from its registry.
 */
export function cliConfig(mirrored: ReadonlyMap<string, string>): string {
  const byMirror = new Map<string, string[]>();
  for (const [source, mirror] of mirrored) byMirror.set(mirror, [...(byMirror.get(mirror) ?? []), source]);
  const quoted = (sources: string[]) => sources.map((s) => JSON.stringify(s)).join(', ');
  const blocks = [...byMirror].map(
    ([mirror, sources]) =>
      `  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = [${quoted(sources)}]\n  }`,
  );
  const exclude = mirrored.size > 0 ? `\n    exclude = [${quoted([...mirrored.keys()])}]\n  ` : '';
  return `provider_installation {\n${blocks.join('\n')}${blocks.length ? '\n' : ''}  direct {${exclude}}\n}\n`;
}

/** The value offline plans give a variable without a default (an https URL, as the integration URLs are). */
export const OFFLINE_VARIABLE_PLACEHOLDER = 'https://placeholder.invalid/offline';

/**
 * An override file for offline planning: a local backend instead of S3, and every AWS provider block (each
 * alias) told not to call STS or the metadata service, with placeholder credentials and no account allow-list
 * (the account id is unknown without STS), and a placeholder default for each variable without one.
 */
export function offlineOverride(stack: unknown): Record<string, unknown> {
  const providers = (stack as { provider?: Record<string, unknown[]> }).provider ?? {};
  const aws = (providers.aws ?? []).map((block) => {
    const alias = (block as { alias?: string }).alias;
    return {
      ...(alias ? { alias } : {}),
      access_key: 'placeholder',
      secret_key: 'placeholder',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      allowed_account_ids: null,
    };
  });
  // Variables without a default (credentials CI exports as TF_VAR_*, such as an integration URL) get a
  // placeholder, so the offline plan runs without them.
  const variables = Object.entries(
    (stack as { variable?: Record<string, { default?: unknown }> }).variable ?? {},
  )
    .filter(([, variable]) => variable.default === undefined)
    .map(([name]) => [name, { default: OFFLINE_VARIABLE_PLACEHOLDER }] as const);
  return {
    terraform: { backend: { local: { path: 'terraform.tfstate' } } },
    ...(aws.length > 0 ? { provider: { aws } } : {}),
    ...(variables.length > 0 ? { variable: Object.fromEntries(variables) } : {}),
  };
}

/** The result of one command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform with the given arguments in `cwd`; never throws for a non-zero exit. */
export function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** An environment for Terraform with no access to real AWS credentials and no checkpoint calls. */
export function isolatedEnv(cliConfigFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('TF_')) env[key] = value;
  }
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The providers of a stack split into those a local mirror holds (with the mirror) and the rest. */
export function providerSources(
  stack: unknown,
  mirrors: readonly string[],
): { readonly mirrored: ReadonlyMap<string, string>; readonly missing: readonly ProviderRequirement[] } {
  const mirrored = new Map<string, string>();
  const missing: ProviderRequirement[] = [];
  for (const provider of requiredProviders(stack)) {
    const mirror = mirrorFor(mirrors, provider);
    if (mirror) mirrored.set(provider.source, mirror);
    else missing.push(provider);
  }
  return { mirrored, missing };
}

// What `terraform init` prints when a provider registry cannot be reached (DNS, TCP, TLS or proxy failures).
const REGISTRY_UNREACHABLE =
  /Failed to query available provider packages|could not connect to|dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|Proxy Authentication Required/i;

/**
 * Why a failed `terraform init` means "these providers are not available on this machine" rather than a broken
 * stack, or undefined when it is a real failure: only when some provider is not in a local mirror and init says the
 * registry could not be reached. A machine that can download providers (a GitHub-hosted runner) never gets here.
 */
export function providersUnavailable(
  init: CommandResult,
  missing: readonly ProviderRequirement[],
): string | undefined {
  if (
    init.code === 0 ||
    missing.length === 0 ||
    !REGISTRY_UNREACHABLE.test(`${init.stderr}\n${init.stdout}`)
  ) {
    return undefined;
  }
  return `${missing.map((p) => `${p.source} ${p.version}`).join(', ')} not in a local mirror and the registry is unreachable`;
}

/**
 * Why a stack cannot be planned with placeholder credentials, or undefined when it can: it reads other stacks'
 * state (`terraform_remote_state` reads the real backend), reads the EKS cluster (`aws_eks_cluster` data needs
 * AWS), or talks to the cluster through the kubernetes or helm provider (they connect at plan time). Such a stack
 * is planned against mocked providers and mocked remote state instead (see scripts/lib/mock-apply.ts).
 */
export function needsMocks(stack: unknown): string | undefined {
  const data = Object.keys((stack as { data?: object }).data ?? {});
  const reasons: string[] = [];
  if (data.includes('terraform_remote_state'))
    reasons.push("reads other stacks' state (terraform_remote_state)");
  if (data.some((type) => type.startsWith('aws_eks_cluster')))
    reasons.push('reads the EKS cluster (aws_eks_cluster)');
  const cluster = requiredProviders(stack)
    .map((p) => p.name)
    .filter((name) => name === 'kubernetes' || name === 'helm');
  if (cluster.length > 0) reasons.push(`connects to the cluster (${cluster.join(', ')} provider)`);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
