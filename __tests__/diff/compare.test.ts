import { join } from 'node:path';
import type { JsonObject } from '../../model/values';
import { diffValues, listDelta } from '../../diff/attributes';
import { compareStack, compareTrees, DiffInputError, loadTree } from '../../diff/compare';
import type { EntryChange, StackDiff } from '../../diff/model';
import type { Editable } from './fixtures/trees';
import { APP, editable, fixture, FIXTURES, PLATFORM } from './fixtures/trees';

function platformDiff(edit: Editable): StackDiff {
  return compareTrees(edit.base, edit.after).find((s) => s.stack === PLATFORM) as StackDiff;
}

function change(diff: StackDiff, address: string): EntryChange {
  const found = diff.changes.find((c) => c.address === address);
  if (!found) throw new Error(`no change at ${address}: ${diff.changes.map((c) => c.address).join(', ')}`);
  return found;
}

/** Renames the logs key's logical id and the reference of its log group, as a renamed construct does. */
function renameLogsKey(edit: Editable): void {
  const keys = edit.resources().aws_kms_key;
  keys.Logs_Key_9Z8Y7X6W = keys.Logs_Key_0A1B2C3D;
  delete keys.Logs_Key_0A1B2C3D;
  edit.resources().aws_cloudwatch_log_group.Database_LogGroup_E952BB75.kms_key_id =
    '${aws_kms_key.Logs_Key_9Z8Y7X6W.arn}';
}

describe('loadTree', () => {
  it('GIVEN a cdktf.out folder THEN it reads every stack its manifest lists', () => {
    const tree = loadTree(join(FIXTURES, 'base'));
    expect([...tree.stacks.keys()].sort()).toEqual(['wms-test-app', 'wms-test-legacy', 'wms-test-platform']);
  });

  it('GIVEN a missing folder THEN it throws an input error naming it', () => {
    expect(() => loadTree(join(FIXTURES, 'nowhere'))).toThrow(DiffInputError);
    expect(() => loadTree(join(FIXTURES, 'nowhere'))).toThrow(/nowhere: no such file or directory/);
  });
});

describe('compareTrees', () => {
  it('GIVEN identical trees with reordered keys, another terraform block and other metadata THEN nothing changed', () => {
    const diffs = compareTrees(fixture('base'), fixture('noop'));
    expect(diffs.map((d) => [d.stack, d.status, d.changes.length])).toEqual([
      ['wms-test-app', 'unchanged', 0],
      ['wms-test-legacy', 'unchanged', 0],
      ['wms-test-platform', 'unchanged', 0],
    ]);
  });

  it('GIVEN a tag change THEN one in-place update listing the old and new value', () => {
    const edit = editable();
    (edit.resources().aws_vpc.Network_Vpc_1A2B3C4D.tags as JsonObject).Team = 'infrastructure';
    const diff = platformDiff(edit);
    expect(diff.status).toBe('changed');
    expect(diff.changes).toHaveLength(1);
    const vpc = change(diff, 'aws_vpc.Network_Vpc_1A2B3C4D');
    expect(vpc).toMatchObject({
      action: 'update',
      constructPath: `${PLATFORM}/Network/Vpc`,
      replacement: undefined,
    });
    expect(vpc.attributes).toEqual([{ path: 'tags.Team', before: 'platform', after: 'infrastructure' }]);
  });

  it('GIVEN a forces-new attribute changed THEN a replacement naming the attribute', () => {
    const edit = editable();
    edit.resources().aws_subnet.Network_PublicSubnet0_AB12CD34.cidr_block = '10.0.129.0/24';
    const subnet = change(platformDiff(edit), 'aws_subnet.Network_PublicSubnet0_AB12CD34');
    expect(subnet.action).toBe('replace');
    expect(subnet.replacement).toEqual({ certainty: 'yes', reasons: ['cidr_block forces a new resource'] });
    expect(subnet.attributes).toEqual([
      { path: 'cidr_block', before: '10.0.128.0/24', after: '10.0.129.0/24', forcesReplacement: 'yes' },
    ]);
  });

  it('GIVEN a nested forces-new attribute in a block THEN the block path is matched without indices', () => {
    const edit = editable();
    const eks = edit.resources().aws_eks_cluster.Eks_Cluster_9EEA9CA8;
    (eks.vpc_config as JsonObject).subnet_ids = ['${aws_subnet.Other.id}'];
    const cluster = change(platformDiff(edit), 'aws_eks_cluster.Eks_Cluster_9EEA9CA8');
    expect(cluster.action).toBe('update');
    expect(cluster.replacement).toEqual({
      certainty: 'may',
      reasons: ['vpc_config.subnet_ids may force a new resource'],
    });
    expect(cluster.attributes[0]).toMatchObject({
      path: 'vpc_config.subnet_ids[0]',
      forcesReplacement: 'may',
    });
  });

  it('GIVEN a Job spec changed THEN the Job is replaced (Jobs are immutable)', () => {
    const edit = editable();
    const job = edit.resources(APP).kubernetes_job_v1.Api_Migration_60791C8E;
    job.spec = { template: { spec: { container: [{ image: 'wms-api:1.5.0', name: 'migrate' }] } } };
    const diff = compareTrees(edit.base, edit.after).find((s) => s.stack === APP) as StackDiff;
    expect(change(diff, 'kubernetes_job_v1.Api_Migration_60791C8E')).toMatchObject({
      action: 'replace',
      replacement: { certainty: 'yes', reasons: ['spec forces a new resource'] },
    });
  });

  it('GIVEN a type the replacement table does not know THEN the change is an update with no replacement claim', () => {
    const stack = (value: string) => ({
      resource: { aws_appflow_flow: { Flow: { name: value, '//': { metadata: { path: 's/Flow' } } } } },
    });
    const diff = compareStack('s', stack('a'), stack('b'));
    expect(diff.changes[0]).toMatchObject({ action: 'update', replacement: undefined });
  });

  it('GIVEN the same construct path under a new logical id THEN a replacement moved from the old address', () => {
    const edit = editable();
    renameLogsKey(edit);
    const diff = platformDiff(edit);
    expect(diff.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      // Its log group references the new address; the new key's ARN is unknown, kms_key_id does not force.
      'update aws_cloudwatch_log_group.Database_LogGroup_E952BB75',
      'replace aws_kms_key.Logs_Key_9Z8Y7X6W',
    ]);
    expect(diff.changes[0].attributes).toEqual([
      expect.objectContaining({ path: 'kms_key_id', after: '(known after apply)' }),
    ]);
    expect(diff.changes[1]).toMatchObject({
      address: 'aws_kms_key.Logs_Key_9Z8Y7X6W',
      action: 'replace',
      movedFrom: 'aws_kms_key.Logs_Key_0A1B2C3D',
      movedByBlock: false,
      attributes: [],
    });
    expect(diff.changes[1].replacement?.reasons[0]).toMatch(
      /same construct path, new logical id and no moved block: Terraform destroys aws_kms_key.Logs_Key_0A1B2C3D/,
    );
  });

  it('GIVEN the move comes with a moved block THEN it is an in-place update, not a replacement', () => {
    const edit = editable();
    renameLogsKey(edit);
    edit.stack().moved = [{ from: 'aws_kms_key.Logs_Key_0A1B2C3D', to: 'aws_kms_key.Logs_Key_9Z8Y7X6W' }];
    const changes = platformDiff(edit).changes;
    // The reference that follows the move is no change: the key, and so its ARN, stays.
    expect(changes).toHaveLength(1);
    const moved = changes[0];
    expect(moved).toMatchObject({
      action: 'update',
      movedFrom: 'aws_kms_key.Logs_Key_0A1B2C3D',
      movedByBlock: true,
    });
    expect(moved.replacement).toBeUndefined();
  });

  it('GIVEN a construct renamed (new path and id) with the same physical name THEN it is paired as a replacement', () => {
    const edit = editable();
    const buckets = edit.resources().aws_s3_bucket;
    const bucket = structuredClone(buckets.Logs_Bucket_3640F0F5);
    (bucket['//'] as JsonObject).metadata = {
      path: `${PLATFORM}/Logging/Bucket`,
      uniqueId: 'Logging_Bucket_00AA11BB',
    };
    buckets.Logging_Bucket_00AA11BB = bucket;
    delete buckets.Logs_Bucket_3640F0F5;
    const renamed = change(platformDiff(edit), 'aws_s3_bucket.Logging_Bucket_00AA11BB');
    expect(renamed).toMatchObject({
      action: 'replace',
      movedFrom: 'aws_s3_bucket.Logs_Bucket_3640F0F5',
      previousConstructPath: `${PLATFORM}/Logs/Bucket`,
    });
    expect(renamed.replacement?.reasons[0]).toMatch(/^same bucket "wms-test-logs-111111111111"/);
  });

  it('GIVEN resources removed and added with nothing in common THEN a destroy and a create', () => {
    const edit = editable();
    delete edit.resources().aws_route53_zone;
    edit.resources().aws_sns_topic = { Alarms_Topic: { name: 'wms-test-alarms' } };
    const diff = platformDiff(edit);
    expect(diff.changes.map((c) => [c.action, c.address])).toEqual([
      ['delete', 'aws_route53_zone.Dns_Zone_4C5D6E7F'],
      ['create', 'aws_sns_topic.Alarms_Topic'],
    ]);
  });

  it('GIVEN a stack only on one side THEN it is reported as added or removed with every resource', () => {
    const diffs = compareTrees(fixture('base'), fixture('after'));
    const extra = diffs.find((d) => d.stack === 'wms-test-extra');
    const legacy = diffs.find((d) => d.stack === 'wms-test-legacy');
    expect(extra).toMatchObject({ status: 'added', resources: { before: 0, after: 1 } });
    expect(extra?.changes.map((c) => [c.action, c.address])).toEqual([
      ['create', 'aws_sns_topic.Alarms_Topic_FB8030DD'],
    ]);
    expect(legacy).toMatchObject({ status: 'removed', resources: { before: 1, after: 0 } });
    expect(legacy?.changes.map((c) => [c.action, c.address])).toEqual([
      ['delete', 'aws_s3_bucket.Archive_Bucket_0F1E2D3C'],
    ]);
  });

  it('GIVEN outputs, providers and data sources changed THEN they are compared by address too', () => {
    const edit = editable();
    edit.stack().output = { VpcCidr: { value: '${aws_vpc.Network_Vpc_1A2B3C4D.cidr_block}' } };
    (edit.stack().provider as { aws: JsonObject[] }).aws[0].region = 'eu-central-1';
    const app = edit.stack(APP);
    ((app.data as JsonObject).aws_eks_cluster as Record<string, JsonObject>).Cluster.name = 'other';
    const diffs = compareTrees(edit.base, edit.after);
    expect(platformDiff(edit).changes.map((c) => [c.kind, c.action, c.address])).toEqual([
      ['output', 'create', 'output.VpcCidr'],
      ['output', 'delete', 'output.VpcId'],
      ['provider', 'update', 'provider.aws'],
    ]);
    expect(change(platformDiff(edit), 'provider.aws').attributes).toEqual([
      { path: '[0].region', before: 'eu-west-1', after: 'eu-central-1' },
    ]);
    const appDiff = diffs.find((d) => d.stack === APP) as StackDiff;
    expect(appDiff.changes.map((c) => [c.kind, c.address])).toEqual([
      ['data', 'data.aws_eks_cluster.Cluster'],
    ]);
  });

  it('GIVEN only the construct path changed under the same logical id THEN an update noting the old path', () => {
    const edit = editable();
    const vpc = edit.resources().aws_vpc.Network_Vpc_1A2B3C4D;
    (vpc['//'] as JsonObject).metadata = { path: `${PLATFORM}/Net/Vpc`, uniqueId: 'Network_Vpc_1A2B3C4D' };
    expect(platformDiff(edit).changes[0]).toMatchObject({
      action: 'update',
      previousConstructPath: `${PLATFORM}/Network/Vpc`,
      constructPath: `${PLATFORM}/Net/Vpc`,
      attributes: [],
    });
  });
});

describe('diffValues', () => {
  it('GIVEN an element inserted at the front of a list THEN only that element is reported', () => {
    expect(diffValues('ids', ['b', 'c'], ['a', 'b', 'c'])).toEqual([{ path: 'ids[0]', after: 'a' }]);
  });

  it('GIVEN a changed element in a list of blocks THEN the change is reported inside the block', () => {
    const before = [{ port: 80 }, { port: 443, protocol: 'TCP' }];
    const after = [{ port: 80 }, { port: 8443, protocol: 'TCP' }];
    expect(diffValues('spec.port', before, after)).toEqual([
      { path: 'spec.port[1].port', before: 443, after: 8443 },
    ]);
  });

  it('GIVEN null on one side and absent on the other THEN no change', () => {
    expect(diffValues('', { a: null, b: 1 }, { b: 1 })).toEqual([]);
  });

  it('GIVEN keys that are not identifiers THEN they are quoted in the path', () => {
    expect(diffValues('metadata.annotations', { 'a.b/c': 'x' }, { 'a.b/c': 'y' })).toEqual([
      { path: 'metadata.annotations["a.b/c"]', before: 'x', after: 'y' },
    ]);
  });

  it('GIVEN multi-line strings THEN the lines added and removed are listed', () => {
    const [changed] = diffValues('values[0]', 'a: 1\nb: 2\nc: 3', 'a: 1\nb: 5\nc: 3');
    expect(changed.lines).toEqual({ added: ['b: 5'], removed: ['b: 2'] });
  });

  it('GIVEN two policy documents THEN the statements added and removed are listed, order ignored', () => {
    const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
    const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const write = { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' };
    const list = { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' };
    const [changed] = diffValues('policy', doc(read, list), doc(write, read));
    expect(changed.policy).toEqual({
      added: ['{"Action":"s3:PutObject","Effect":"Allow","Resource":"*"}'],
      removed: ['{"Action":"s3:ListBucket","Effect":"Allow","Resource":"*"}'],
    });
  });
});

describe('listDelta', () => {
  it('aligns on the longest common subsequence', () => {
    expect(listDelta(['a', 'b', 'c', 'd'], ['b', 'x', 'd'])).toEqual({
      removed: [
        { index: 0, item: 'a' },
        { index: 2, item: 'c' },
      ],
      added: [{ index: 1, item: 'x' }],
    });
  });
});
