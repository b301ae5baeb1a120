import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanJson } from '../../diff/exact';
import {
  defaultPlanCache,
  exactChanges,
  installationConfig,
  mirroredProviders,
  protectedAddresses,
  residueOf,
  unplannableReason,
} from '../../diff/exact';
import type { ValueType } from '../../diff/placeholders';
import { replacementPaths } from '../../diff/resource-facts';
import { ctyExpression, fillUnknowns, outputType, placeholder } from '../../diff/placeholders';
import { discoverMirrors } from '../../terraform/terraform';
import { synthesizedAppStacks } from '../support/app';

const STRING: ValueType = { kind: 'string' };
const site = (type: string, ...path: string[]) => ({ type, address: `${type}.X`, path });

describe('placeholders', () => {
  it('GIVEN ids and ARNs THEN values shaped like AWS ones (the provider validates some)', () => {
    expect(placeholder(STRING, site('aws_vpc', 'id'))).toMatch(/^vpc-0[0-9a-f]{16}$/);
    expect(placeholder(STRING, site('aws_launch_template', 'id'))).toMatch(/^lt-0[0-9a-f]{16}$/);
    expect(placeholder(STRING, site('aws_kms_key', 'arn'))).toMatch(
      /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(placeholder(STRING, site('aws_kms_key', 'key_id'))).toMatch(/^[0-9a-f]{8}-/);
    expect(placeholder(STRING, site('aws_iam_role', 'arn'))).toMatch(
      /^arn:aws:iam::123456789012:role\/placeholder-/,
    );
    expect(placeholder(STRING, site('aws_rds_cluster', 'master_user_secret', 'secret_arn'))).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:/,
    );
  });

  it('GIVEN the same site twice THEN the same value (deterministic); another address THEN another value', () => {
    expect(placeholder(STRING, site('aws_vpc', 'id'))).toBe(placeholder(STRING, site('aws_vpc', 'id')));
    expect(placeholder(STRING, site('aws_vpc', 'id'))).not.toBe(
      placeholder(STRING, { type: 'aws_vpc', address: 'aws_vpc.Y', path: ['id'] }),
    );
  });

  it('GIVEN other types THEN 0, false, one-element lists, empty maps', () => {
    expect(placeholder({ kind: 'number' }, site('aws_x', 'n'))).toBe(0);
    expect(placeholder({ kind: 'bool' }, site('aws_x', 'b'))).toBe(false);
    expect(placeholder({ kind: 'list', element: STRING }, site('aws_x', 'names'))).toHaveLength(1);
    expect(placeholder({ kind: 'map', element: STRING }, site('aws_x', 'tags'))).toEqual({});
  });

  it('GIVEN the known special cases THEN a real record type, and a FIFO scope left null', () => {
    const options: ValueType = {
      kind: 'set',
      element: {
        kind: 'object',
        attributes: { domain_name: STRING, resource_record_type: STRING, resource_record_name: STRING },
      },
    };
    const filled = fillUnknowns(
      [{ domain_name: 'wms.example.com' }],
      [{ resource_record_type: true, resource_record_name: true }],
      options,
      site('aws_acm_certificate', 'domain_validation_options'),
    ) as Record<string, unknown>[];
    expect(filled[0]).toMatchObject({ domain_name: 'wms.example.com', resource_record_type: 'CNAME' });
    expect(fillUnknowns(null, true, STRING, site('aws_sns_topic', 'fifo_throughput_scope'))).toBeNull();
  });

  it('GIVEN an unknown with a prior value THEN the prior value is kept; absent attributes null, blocks []', () => {
    const type: ValueType = {
      kind: 'object',
      attributes: { id: STRING, name: STRING, rule: { kind: 'list', element: STRING, block: true } },
    };
    expect(fillUnknowns({}, { id: true }, type, site('aws_vpc'), { id: 'vpc-1' })).toEqual({
      id: 'vpc-1',
      name: null,
      rule: [],
    });
  });

  it('GIVEN output values THEN literal lists are tuples; schema types render as cty types', () => {
    expect(outputType(['a', 1])).toEqual(['tuple', ['string', 'number']]);
    expect(ctyExpression({ kind: 'list', element: STRING })).toEqual(['list', 'string']);
  });
});

describe('reading a plan', () => {
  const plan: PlanJson = {
    resource_changes: [
      { address: 'aws_vpc.A', mode: 'managed', type: 'aws_vpc', name: 'A', change: { actions: ['no-op'] } },
      {
        address: 'aws_subnet.B',
        mode: 'managed',
        type: 'aws_subnet',
        name: 'B',
        change: { actions: ['delete', 'create'], replace_paths: [['vpc_id'], ['tags', 'Name']] },
      },
      {
        address: 'aws_kms_key.C',
        mode: 'managed',
        type: 'aws_kms_key',
        name: 'C',
        change: { actions: ['update'] },
      },
      {
        address: 'aws_kms_key.New',
        previous_address: 'aws_kms_key.Old',
        mode: 'managed',
        type: 'aws_kms_key',
        name: 'New',
        change: { actions: ['no-op'] },
      },
      {
        address: 'aws_s3_bucket.D',
        mode: 'managed',
        type: 'aws_s3_bucket',
        name: 'D',
        change: { actions: ['delete'] },
      },
      { address: 'data.aws_x.E', mode: 'data', type: 'aws_x', name: 'E', change: { actions: ['read'] } },
    ],
    output_changes: { Id: { actions: ['update'] }, Same: { actions: ['no-op'] } },
  };

  it('GIVEN a plan THEN one change per changed managed resource and Terraform summary counts', () => {
    const { changes, counts } = exactChanges(plan);
    expect(changes).toEqual([
      { address: 'aws_kms_key.C', action: 'update', replacePaths: [] },
      { address: 'aws_kms_key.New', previousAddress: 'aws_kms_key.Old', action: 'move', replacePaths: [] },
      { address: 'aws_s3_bucket.D', action: 'delete', replacePaths: [] },
      { address: 'aws_subnet.B', action: 'replace', replacePaths: ['vpc_id', 'tags.Name'] },
    ]);
    expect(counts).toEqual({ create: 0, update: 1, replace: 1, delete: 1, move: 1 });
  });

  it('GIVEN a plan of the unchanged base THEN its residue lists what still changes, outputs included', () => {
    expect(residueOf(plan)).toEqual([
      'aws_subnet.B: delete+create',
      'aws_kms_key.C: update',
      'aws_s3_bucket.D: delete',
      'output.Id: update',
    ]);
  });

  it('GIVEN resources with prevent_destroy THEN their addresses (a real plan refuses to destroy them)', () => {
    const stack = { resource: { aws_s3_bucket: { A: { lifecycle: { prevent_destroy: true } }, B: {} } } };
    expect([...protectedAddresses(stack)]).toEqual(['aws_s3_bucket.A']);
  });
});

describe('defaultPlanCache', () => {
  it('GIVEN XDG_CACHE_HOME THEN wms-diff under it; without THEN ~/.cache/wms-diff', () => {
    expect(defaultPlanCache({ XDG_CACHE_HOME: '/cache' })).toBe('/cache/wms-diff');
    expect(defaultPlanCache({})).toBe(join(homedir(), '.cache', 'wms-diff'));
  });
});

describe('where providers come from (here: a mirror; GitHub-hosted runners: the registry)', () => {
  const stack = { terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } };

  it('GIVEN no mirror (CI) THEN every provider installs from the registry, once per cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'wms-diff-plugins-'));
    try {
      expect(installationConfig(mirroredProviders(stack, []), 1, cache)).toBe(
        `plugin_cache_dir = "${join(cache, 'plugins')}"\nprovider_installation {\n  direct {}\n}\n`,
      );
      expect(existsSync(join(cache, 'plugins'))).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('GIVEN the aws provider in a local mirror (here) THEN it installs from the mirror, nothing else from it', () => {
    const mirrors = discoverMirrors(process.env);
    const mirrored = mirroredProviders(stack, mirrors);
    if (mirrored.size === 0) {
      // GitHub-hosted runners: the registry case above is what runs there.
      process.stdout.write(
        'no local mirror of hashicorp/aws 5.100.0 here: providers come from the registry\n',
      );
      expect(installationConfig(mirrored, 1, tmpdir())).toContain('direct {}');
      return;
    }
    const config = installationConfig(mirrored, 1, tmpdir());
    expect(config).toContain('filesystem_mirror');
    expect(config).toContain('exclude = ["registry.terraform.io/hashicorp/aws"]');
    expect(config).not.toContain('plugin_cache_dir');
  });

  it('GIVEN a stack reading remote state THEN it is not planned, and says why', () => {
    expect(unplannableReason({ data: { terraform_remote_state: {} } })).toMatch(/terraform_remote_state/);
    expect(unplannableReason({ data: { aws_caller_identity: {} } })).toBeUndefined();
    const cluster = { terraform: { required_providers: { helm: {}, kubernetes: {} } } };
    expect(unplannableReason(cluster)).toBe('its helm and kubernetes providers talk to a live cluster');
  });
});

describe('the forces-new table covers what the app emits', () => {
  it('GIVEN every resource type of every synthesized stack THEN the table has an entry for it', () => {
    const types = new Set(
      Object.values(synthesizedAppStacks()).flatMap((stack) => Object.keys(stack.resource ?? {})),
    );
    expect([...types].filter((type) => replacementPaths(type) === undefined).sort()).toEqual([]);
  });
});
