import type { JsonObject } from '../../model/values';
import { compareStack } from '../../diff/compare';
import type { EntryChange } from '../../diff/model';
import { buildReport } from '../../diff/report';
import { KNOWN_AFTER_APPLY, referencesOf } from '../../diff/propagate';

type Resources = Record<string, Record<string, JsonObject>>;

/** A stack with an AWS provider (default tags, and an aliased provider with its own) and these resources. */
function stack(resource: Resources, tags: JsonObject = { Owner: 'platform' }): JsonObject {
  return {
    provider: {
      aws: [
        { region: 'eu-west-1', default_tags: [{ tags }] },
        { alias: 'backup', region: 'eu-central-1', default_tags: [{ tags: { Owner: 'backup' } }] },
      ],
    },
    resource,
  };
}

/** A database: KMS key -> cluster -> two instances, a backup selection and a log group using the key. */
function database(): Resources {
  return {
    aws_kms_key: { Key: { description: 'database', enable_key_rotation: true } },
    aws_rds_cluster: {
      Cluster: {
        cluster_identifier: 'wms-db',
        engine: 'aurora-postgresql',
        kms_key_id: '${aws_kms_key.Key.arn}',
        storage_encrypted: true,
      },
    },
    aws_rds_cluster_instance: {
      Writer: { identifier: 'wms-db-1', cluster_identifier: '${aws_rds_cluster.Cluster.id}' },
      Reader: { identifier: 'wms-db-2', cluster_identifier: '${aws_rds_cluster.Cluster.id}' },
    },
    aws_backup_selection: {
      Selection: {
        name: 'db',
        plan_id: 'plan',
        iam_role_arn: 'role',
        resources: ['${aws_rds_cluster.Cluster.arn}'],
      },
    },
    aws_cloudwatch_log_group: {
      Logs: { name: '/wms/db', kms_key_id: '${aws_kms_key.Key.arn}', tags: { Owner: 'dba' } },
    },
    aws_iam_role_policy: {
      // Names the cluster by its configured identifier: known, unchanged when the cluster is replaced.
      Policy: {
        name: 'p',
        role: 'r',
        policy: '{"Resource":"${aws_rds_cluster.Cluster.cluster_identifier}"}',
      },
    },
  };
}

function diffOf(before: Resources, after: Resources, tagsAfter?: JsonObject) {
  return compareStack('s', stack(before), stack(after, tagsAfter ?? { Owner: 'platform' }));
}

function byAddress(changes: readonly EntryChange[]): Record<string, EntryChange> {
  return Object.fromEntries(changes.map((change) => [change.address, change]));
}

function actions(changes: readonly EntryChange[]): string[] {
  return changes.filter((c) => c.kind === 'resource').map((c) => `${c.action} ${c.address}`);
}

describe('propagation of replacements through references', () => {
  const after = database();
  after.aws_kms_key.Key.multi_region = true;
  const diff = diffOf(database(), after);
  const changes = byAddress(diff.changes);

  it('GIVEN a KMS key replaced THEN what references its ARN with a forcing attribute is replaced, transitively', () => {
    expect(actions(diff.changes)).toEqual([
      'replace aws_backup_selection.Selection',
      'update aws_cloudwatch_log_group.Logs',
      'replace aws_kms_key.Key',
      'replace aws_rds_cluster.Cluster',
      'replace aws_rds_cluster_instance.Reader',
      'replace aws_rds_cluster_instance.Writer',
    ]);
  });

  it('GIVEN a propagated replacement THEN it carries the reason and the cause chain', () => {
    expect(changes['aws_rds_cluster.Cluster'].replacement).toEqual({
      certainty: 'yes',
      reasons: ['replaced because aws_kms_key.Key is replaced; kms_key_id forces replacement'],
    });
    expect(changes['aws_rds_cluster.Cluster'].causedBy).toEqual(['aws_kms_key.Key']);
    expect(changes['aws_rds_cluster_instance.Writer'].causedBy).toEqual([
      'aws_kms_key.Key',
      'aws_rds_cluster.Cluster',
    ]);
    expect(changes['aws_rds_cluster_instance.Writer'].attributes).toEqual([
      {
        path: 'cluster_identifier',
        before: '${aws_rds_cluster.Cluster.id}',
        after: KNOWN_AFTER_APPLY,
        forcesReplacement: 'yes',
        propagated: { from: 'aws_rds_cluster.Cluster', because: 'aws_rds_cluster.Cluster is replaced' },
      },
    ]);
  });

  it('GIVEN the referencing attribute does not force replacement THEN an in-place update', () => {
    expect(changes['aws_cloudwatch_log_group.Logs'].action).toBe('update');
    expect(changes['aws_cloudwatch_log_group.Logs'].replacement).toBeUndefined();
  });

  it('GIVEN a reference to an attribute the replaced resource sets in configuration THEN no change', () => {
    expect(changes['aws_iam_role_policy.Policy']).toBeUndefined();
  });

  it('GIVEN a stateful resource replaced by propagation THEN the finding is critical like a direct one', () => {
    const report = buildReport(
      { label: 'base', stacks: new Map([['s', stack(database())]]) },
      { label: 'change', stacks: new Map([['s', stack(after)]]) },
    );
    const critical = report.findings.filter((f) => f.severity === 'critical').map((f) => f.address);
    expect(critical).toEqual([
      'aws_kms_key.Key',
      'aws_rds_cluster.Cluster',
      'aws_rds_cluster_instance.Reader',
      'aws_rds_cluster_instance.Writer',
    ]);
    expect(report.findings.find((f) => f.address === 'aws_rds_cluster.Cluster')?.message).toBe(
      'stateful aws_rds_cluster replaced: replaced because aws_kms_key.Key is replaced; kms_key_id forces ' +
        'replacement (cause chain: aws_kms_key.Key → aws_rds_cluster.Cluster)',
    );
  });
});

describe('propagation of changed values', () => {
  it('GIVEN a configured attribute changes THEN what references it updates with the new known value', () => {
    const cluster = (version: string): Resources => ({
      aws_eks_cluster: { Cluster: { name: 'wms', role_arn: 'r', version } },
      aws_eks_node_group: {
        System: {
          cluster_name: '${aws_eks_cluster.Cluster.name}',
          node_group_name: 'system',
          node_role_arn: 'r',
          subnet_ids: ['a'],
          version: '${aws_eks_cluster.Cluster.version}',
        },
      },
    });
    const diff = diffOf(cluster('1.34'), cluster('1.35'));
    expect(actions(diff.changes)).toEqual([
      'update aws_eks_cluster.Cluster',
      'update aws_eks_node_group.System',
    ]);
    expect(byAddress(diff.changes)['aws_eks_node_group.System'].attributes).toEqual([
      expect.objectContaining({ path: 'version', after: '1.35' }),
    ]);
  });

  it('GIVEN a launch template updated THEN node groups following its latest_version update', () => {
    const template = (hops: number): Resources => ({
      aws_launch_template: {
        Nodes: { name: 'nodes', metadata_options: { http_put_response_hop_limit: hops } },
      },
      aws_eks_node_group: {
        System: {
          cluster_name: 'wms',
          node_group_name: 'system',
          node_role_arn: 'r',
          subnet_ids: ['a'],
          launch_template: {
            id: '${aws_launch_template.Nodes.id}',
            version: '${aws_launch_template.Nodes.latest_version}',
          },
        },
      },
    });
    const diff = diffOf(template(1), template(2));
    const group = byAddress(diff.changes)['aws_eks_node_group.System'];
    expect(group).toMatchObject({ action: 'update', causedBy: ['aws_launch_template.Nodes'] });
    expect(group.attributes.map((a) => a.path)).toEqual(['launch_template.version']);
  });

  it('GIVEN a resource moved with a moved block THEN references that follow the move are no change', () => {
    const after = database();
    after.aws_kms_key = { Renamed: after.aws_kms_key.Key };
    after.aws_rds_cluster.Cluster.kms_key_id = '${aws_kms_key.Renamed.arn}';
    after.aws_cloudwatch_log_group.Logs.kms_key_id = '${aws_kms_key.Renamed.arn}';
    const moved = { ...stack(after), moved: [{ from: 'aws_kms_key.Key', to: 'aws_kms_key.Renamed' }] };
    const diff = compareStack('s', stack(database()), moved);
    expect(actions(diff.changes)).toEqual(['update aws_kms_key.Renamed']);
  });

  it('GIVEN the same move without a moved block THEN the key and everything forced by its ARN is replaced', () => {
    const after = database();
    after.aws_kms_key = { Renamed: after.aws_kms_key.Key };
    after.aws_rds_cluster.Cluster.kms_key_id = '${aws_kms_key.Renamed.arn}';
    after.aws_cloudwatch_log_group.Logs.kms_key_id = '${aws_kms_key.Renamed.arn}';
    // Paired by physical name is not possible for a key: pair it by construct path.
    const withPath = (resources: Resources, id: string) => {
      const copy = structuredClone(resources);
      copy.aws_kms_key[id]['//'] = { metadata: { path: 's/Database/Key' } };
      return copy;
    };
    const diff = compareStack('s', stack(withPath(database(), 'Key')), stack(withPath(after, 'Renamed')));
    expect(actions(diff.changes)).toEqual([
      'replace aws_backup_selection.Selection',
      'update aws_cloudwatch_log_group.Logs',
      'replace aws_kms_key.Renamed',
      'replace aws_rds_cluster.Cluster',
      'replace aws_rds_cluster_instance.Reader',
      'replace aws_rds_cluster_instance.Writer',
    ]);
  });
});

describe('propagation of provider default_tags', () => {
  it('GIVEN a default tag changed THEN every taggable resource of that provider whose merged tags change updates', () => {
    const resources = database();
    resources.aws_s3_bucket = { Backup: { bucket: 'b', provider: 'aws.backup' } };
    const diff = compareStack('s', stack(resources), stack(resources, { Owner: 'wms' }));
    // The log group sets its own Owner; the role policy and the backup selection are not taggable; the bucket
    // uses the other provider configuration.
    expect(actions(diff.changes)).toEqual([
      'update aws_kms_key.Key',
      'update aws_rds_cluster.Cluster',
      'update aws_rds_cluster_instance.Reader',
      'update aws_rds_cluster_instance.Writer',
    ]);
    expect(byAddress(diff.changes)['aws_kms_key.Key']).toMatchObject({
      causedBy: ['provider.aws'],
      attributes: [
        expect.objectContaining({ path: 'tags_all', before: { Owner: 'platform' }, after: { Owner: 'wms' } }),
      ],
    });
  });
});

describe('referencesOf', () => {
  const types = new Set(['aws_subnet', 'aws_vpc']);

  it('GIVEN references in functions, splats and nested blocks THEN each with the attribute path holding it', () => {
    expect(
      referencesOf(
        {
          vpc_id: '${aws_vpc.Main.id}',
          config: { subnet_ids: ['${element(aws_subnet.A.*.id, 0)}', 'literal'] },
          name: '${data.aws_vpc.Other.id}-${aws_unknown.X.id}',
        },
        types,
      ),
    ).toEqual([
      { path: 'vpc_id', target: 'aws_vpc.Main', attribute: 'id' },
      { path: 'config.subnet_ids[0]', target: 'aws_subnet.A', attribute: 'id' },
    ]);
  });

  it('GIVEN depends_on and lifecycle THEN they are not references to values', () => {
    expect(
      referencesOf(
        { depends_on: ['aws_vpc.Main'], lifecycle: { replace_triggered_by: ['${aws_vpc.Main.id}'] } },
        types,
      ),
    ).toEqual([]);
  });
});
