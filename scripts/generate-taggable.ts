/**
 * Regenerates guardrails/aws-taggable-resources.json from the real hashicorp/aws provider schema.
 *
 * Usage: `node scripts/build.mjs && node dist/scripts/generate-taggable.js --plugin-mirror <dir>`
 *
 * The provider version is the one @cdktf/provider-aws was generated from. Terraform is run in a temporary
 * directory with a CLI config that installs the provider from a filesystem mirror (no network needed); the
 * schema's resource types that have both `tags` and `tags_all` are written, sorted. `tags_all` is the attribute
 * the provider fills from `default_tags`, so a type without it (aws_autoscaling_group's `tag` blocks, or
 * aws_inspector_resource_group whose `tags` is a selector) cannot take the required tags from default_tags.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import providerPackage from '@cdktf/provider-aws/package.json';
import { commandLine } from './lib/cli';

const PROVIDER_SOURCE = 'registry.terraform.io/hashicorp/aws';
const OUTPUT = 'guardrails/aws-taggable-resources.json';

/** The taggable-types data file. */
export interface TaggableData {
  readonly provider: string;
  readonly providerVersion: string;
  readonly rule: string;
  readonly generatedBy: string;
  readonly resourceTypes: string[];
}

/** Picks the resource types with both `tags` and `tags_all` from `terraform providers schema -json` output. */
export function taggableTypes(schema: unknown, provider = PROVIDER_SOURCE): string[] {
  const root = schema as {
    provider_schemas?: Record<string, { resource_schemas?: Record<string, unknown> }>;
  };
  const resources = root.provider_schemas?.[provider]?.resource_schemas;
  if (!resources) throw new Error(`the schema has no resource schemas for ${provider}`);
  return Object.entries(resources)
    .filter(([, resource]) => {
      const attributes =
        (resource as { block?: { attributes?: Record<string, unknown> } }).block?.attributes ?? {};
      return 'tags' in attributes && 'tags_all' in attributes;
    })
    .map(([type]) => type)
    .sort();
}

/** Builds the data file content for a provider version and its taggable types. */
export function taggableData(providerVersion: string, resourceTypes: string[]): TaggableData {
  return {
    provider: PROVIDER_SOURCE,
    providerVersion,
    rule: 'resource types whose schema has both a `tags` and a `tags_all` attribute (tags_all is where default_tags land)',
    generatedBy: 'scripts/generate-taggable.ts',
    resourceTypes,
  };
}

const USAGE = `Usage: node scripts/build.mjs && node dist/scripts/generate-taggable.js --plugin-mirror <dir>

Regenerates ${OUTPUT} from the hashicorp/aws provider schema (terraform providers schema -json), installing the
provider from a filesystem mirror (no network needed).

--plugin-mirror <dir>   a Terraform filesystem mirror holding registry.terraform.io/hashicorp/aws (required)
--help                  print this help
`;

function main(): void {
  const line = commandLine('generate-taggable', {
    usage: USAGE,
    options: { 'plugin-mirror': { type: 'string' } },
  });
  const mirror = line.values['plugin-mirror'];
  if (typeof mirror !== 'string') {
    process.stderr.write(`generate-taggable: --plugin-mirror <dir> is required\n\n${USAGE}`);
    process.exit(2);
  }
  const version = providerPackage.cdktf.provider.version;
  const work = mkdtempSync(join(tmpdir(), 'wms-taggable-'));
  try {
    writeFileSync(
      join(work, 'main.tf'),
      `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "${version}" }\n  }\n}\n`,
    );
    writeFileSync(
      join(work, 'cli.tfrc'),
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(resolve(mirror))}\n    include = ["${PROVIDER_SOURCE}"]\n  }\n}\n`,
    );
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(work, 'cli.tfrc'), TF_IN_AUTOMATION: '1' };
    execFileSync('terraform', ['init', '-input=false', '-no-color'], { cwd: work, env, stdio: 'inherit' });
    const schema = execFileSync('terraform', ['providers', 'schema', '-json'], {
      cwd: work,
      env,
      maxBuffer: 512 * 1024 * 1024,
    });
    const types = taggableTypes(JSON.parse(schema.toString('utf8')));
    writeFileSync(OUTPUT, `${JSON.stringify(taggableData(version, types), null, 2)}\n`);
    console.log(`wrote ${types.length} taggable resource types of hashicorp/aws ${version} to ${OUTPUT}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) main();
