import type { JsonObject } from '../../model/values';
import type { RiskFinding } from '../../diff/model';
import { buildReport } from '../../diff/report';
import type { Editable } from './fixtures/trees';
import { APP, editable, fixture, PLATFORM, policy } from './fixtures/trees';

/** The findings after applying `change` to a copy of the base fixture. */
function findingsAfter(change: (edit: Editable) => void): readonly RiskFinding[] {
  const edit = editable();
  change(edit);
  return buildReport(edit.base, edit.after).findings;
}

/** The parts of a finding most assertions read. */
function brief(finding: RiskFinding): [string, string, string, string] {
  return [finding.severity, finding.category, finding.address, finding.message];
}

const CLUSTER = 'aws_rds_cluster.Database_Cluster_C6094C50';
const DB_RULE = 'aws_vpc_security_group_ingress_rule.Database_FromVpc_ABFC2838';
const APP_POLICY = 'aws_iam_role_policy.App_Policy_8F960C7F';
const NETWORK_POLICY = 'kubernetes_network_policy_v1.Api_FromLoadBalancer_638889F8';

describe('no risk', () => {
  it('GIVEN identical trees THEN no finding', () => {
    expect(buildReport(fixture('base'), fixture('noop')).findings).toEqual([]);
  });

  it('GIVEN only a tag, a config map value and an engine version changed THEN no finding', () => {
    const findings = findingsAfter((edit) => {
      (edit.resources().aws_vpc.Network_Vpc_1A2B3C4D.tags as JsonObject).Team = 'infrastructure';
      edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.engine_version = '16.4';
      (edit.resources(APP).kubernetes_config_map_v1.Api_Config_1B2C3D4E.data as JsonObject).LOG_LEVEL =
        'debug';
    });
    expect(findings).toEqual([]);
  });

  it('GIVEN protections raised and rules narrowed THEN no finding', () => {
    const findings = findingsAfter((edit) => {
      const r = edit.resources();
      r.aws_rds_cluster.Database_Cluster_C6094C50.backup_retention_period = 35;
      r.aws_cloudwatch_log_group.Database_LogGroup_E952BB75.retention_in_days = 0;
      r.aws_vpc_security_group_ingress_rule.Database_FromVpc_ABFC2838.cidr_ipv4 = '10.0.1.0/24';
      r.aws_iam_role_policy.App_Policy_8F960C7F.policy = policy({
        Sid: 'ReadLogs',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::wms-test-logs-111111111111/a/*',
      });
    });
    expect(findings).toEqual([]);
  });
});

describe('stateful identity', () => {
  it('GIVEN a stateful resource removed THEN critical', () => {
    const findings = findingsAfter((edit) => delete edit.resources().aws_route53_zone);
    expect(findings.map(brief)).toEqual([
      [
        'critical',
        'stateful-identity',
        'aws_route53_zone.Dns_Zone_4C5D6E7F',
        'stateful aws_route53_zone removed: Terraform destroys it and the data it holds',
      ],
    ]);
    expect(findings[0]).toMatchObject({ stack: PLATFORM, constructPath: `${PLATFORM}/Dns/Zone` });
  });

  it('GIVEN a guarded stateful resource removed THEN the finding says the plan fails', () => {
    const findings = findingsAfter((edit) => delete edit.resources().aws_rds_cluster);
    expect(findings.find((f) => f.address === CLUSTER)?.message).toMatch(
      /prevent_destroy makes the plan fail/,
    );
  });

  it('GIVEN a forces-new attribute of a database changed THEN critical replacement with old and new value', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.master_username = 'admin';
    });
    expect(findings).toEqual([
      {
        severity: 'critical',
        category: 'stateful-identity',
        stack: PLATFORM,
        address: CLUSTER,
        constructPath: `${PLATFORM}/Database/Cluster`,
        message: 'stateful aws_rds_cluster replaced: master_username forces a new resource',
        before: 'master_username="wms_admin"',
        after: 'master_username="admin"',
      },
      // Its instance is unchanged in configuration but follows: cluster_identifier takes the new cluster's id.
      {
        severity: 'critical',
        category: 'stateful-identity',
        stack: PLATFORM,
        address: 'aws_rds_cluster_instance.Database_Instance0_9F8E7D6C',
        constructPath: `${PLATFORM}/Database/Instance0`,
        message:
          'stateful aws_rds_cluster_instance replaced: replaced because aws_rds_cluster.Database_Cluster_C6094C50 ' +
          'is replaced; cluster_identifier forces replacement (cause chain: ' +
          'aws_rds_cluster.Database_Cluster_C6094C50 → aws_rds_cluster_instance.Database_Instance0_9F8E7D6C)',
        before: 'cluster_identifier="${aws_rds_cluster.Database_Cluster_C6094C50.id}"',
        after: 'cluster_identifier="(known after apply)"',
      },
    ]);
  });

  it('GIVEN a KMS key moved to a new logical id THEN critical replacement from the old address', () => {
    const findings = findingsAfter((edit) => {
      const keys = edit.resources().aws_kms_key;
      keys.Logs_Key_9Z8Y7X6W = keys.Logs_Key_0A1B2C3D;
      delete keys.Logs_Key_0A1B2C3D;
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      category: 'stateful-identity',
      address: 'aws_kms_key.Logs_Key_9Z8Y7X6W',
      before: 'aws_kms_key.Logs_Key_0A1B2C3D',
      after: 'aws_kms_key.Logs_Key_9Z8Y7X6W',
    });
  });

  it('GIVEN the same move with a moved block THEN no finding', () => {
    const findings = findingsAfter((edit) => {
      const keys = edit.resources().aws_kms_key;
      keys.Logs_Key_9Z8Y7X6W = keys.Logs_Key_0A1B2C3D;
      delete keys.Logs_Key_0A1B2C3D;
      edit.stack().moved = [{ from: 'aws_kms_key.Logs_Key_0A1B2C3D', to: 'aws_kms_key.Logs_Key_9Z8Y7X6W' }];
    });
    expect(findings).toEqual([]);
  });

  it('GIVEN a cluster change that may force replacement THEN high', () => {
    const findings = findingsAfter((edit) => {
      const eks = edit.resources().aws_eks_cluster.Eks_Cluster_9EEA9CA8;
      (eks.vpc_config as JsonObject).subnet_ids = ['subnet-1', 'subnet-2'];
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'stateful-identity',
        'aws_eks_cluster.Eks_Cluster_9EEA9CA8',
        'stateful aws_eks_cluster may be replaced: vpc_config.subnet_ids may force a new resource',
      ],
    ]);
  });

  it('GIVEN a new stateful resource THEN low', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_s3_bucket.Extra_Bucket = { bucket: 'wms-test-extra' };
    });
    expect(findings.map(brief)).toEqual([
      ['low', 'stateful-identity', 'aws_s3_bucket.Extra_Bucket', 'new stateful aws_s3_bucket'],
    ]);
  });

  it('GIVEN a stack removed THEN its stateful resources are reported removed', () => {
    const findings = findingsAfter((edit) =>
      (edit.after.stacks as Map<string, JsonObject>).delete('wms-test-legacy'),
    );
    expect(findings.map((f) => [f.stack, f.severity, f.address])).toEqual([
      ['wms-test-legacy', 'critical', 'aws_s3_bucket.Archive_Bucket_0F1E2D3C'],
    ]);
  });
});

describe('protection lowered', () => {
  const cases: [string, (edit: Editable) => void, string, string, string, string][] = [
    [
      'deletion_protection true -> false',
      (edit) => (edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.deletion_protection = false),
      'high',
      CLUSTER,
      'deletion_protection turned off',
      'false',
    ],
    [
      'deletion_protection true -> absent',
      (edit) => delete edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.deletion_protection,
      'high',
      CLUSTER,
      'deletion_protection turned off',
      '(absent)',
    ],
    [
      'skip_final_snapshot false -> true',
      (edit) => (edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.skip_final_snapshot = true),
      'high',
      CLUSTER,
      'skip_final_snapshot turned on: no final snapshot on deletion',
      'true',
    ],
    [
      'backup_retention_period decreased',
      (edit) => (edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.backup_retention_period = 7),
      'high',
      CLUSTER,
      'backup_retention_period decreased',
      '7',
    ],
    [
      'backup_retention_period removed (provider default 1)',
      (edit) => delete edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.backup_retention_period,
      'high',
      CLUSTER,
      'backup_retention_period decreased',
      '(default 1)',
    ],
    [
      'lifecycle.prevent_destroy removed',
      (edit) => delete edit.resources().aws_rds_cluster.Database_Cluster_C6094C50.lifecycle,
      'high',
      CLUSTER,
      'lifecycle.prevent_destroy removed',
      '(absent)',
    ],
    [
      'backup plan delete_after decreased',
      (edit) => {
        const rule = (edit.resources().aws_backup_plan.Backup_Plan_ABEAF177.rule as JsonObject[])[0];
        rule.lifecycle = { delete_after: 7 };
      },
      'high',
      'aws_backup_plan.Backup_Plan_ABEAF177',
      'backup rule "daily": lifecycle.delete_after decreased',
      '7',
    ],
    [
      'backup plan rule removed',
      (edit) => (edit.resources().aws_backup_plan.Backup_Plan_ABEAF177.rule = []),
      'high',
      'aws_backup_plan.Backup_Plan_ABEAF177',
      'backup rule "daily" removed',
      '(removed)',
    ],
    [
      'KMS deletion window decreased',
      (edit) => (edit.resources().aws_kms_key.Database_Key_64F5EF26.deletion_window_in_days = 7),
      'high',
      'aws_kms_key.Database_Key_64F5EF26',
      'deletion_window_in_days decreased',
      '7',
    ],
    [
      'KMS key rotation turned off',
      (edit) => (edit.resources().aws_kms_key.Database_Key_64F5EF26.enable_key_rotation = false),
      'medium',
      'aws_kms_key.Database_Key_64F5EF26',
      'enable_key_rotation turned off',
      'false',
    ],
    [
      'log retention decreased',
      (edit) => (edit.resources().aws_cloudwatch_log_group.Database_LogGroup_E952BB75.retention_in_days = 30),
      'medium',
      'aws_cloudwatch_log_group.Database_LogGroup_E952BB75',
      'retention_in_days decreased',
      '30',
    ],
    [
      'bucket versioning suspended',
      (edit) => {
        edit.resources().aws_s3_bucket_versioning.Logs_Versioning_C199F1D4.versioning_configuration = {
          status: 'Suspended',
        };
      },
      'high',
      'aws_s3_bucket_versioning.Logs_Versioning_C199F1D4',
      'bucket versioning suspended',
      'Suspended',
    ],
    [
      'bucket versioning resource removed',
      (edit) => delete edit.resources().aws_s3_bucket_versioning,
      'high',
      'aws_s3_bucket_versioning.Logs_Versioning_C199F1D4',
      'bucket versioning resource removed: Terraform suspends versioning',
      '(removed)',
    ],
    [
      'secret recovery window shortened',
      (edit) =>
        (edit.resources().aws_secretsmanager_secret.Database_Secret_6B166CC5.recovery_window_in_days = 0),
      'high',
      'aws_secretsmanager_secret.Database_Secret_6B166CC5',
      'recovery_window_in_days decreased',
      '0',
    ],
    [
      'force_destroy turned on',
      (edit) => (edit.resources().aws_s3_bucket.Logs_Bucket_3640F0F5.force_destroy = true),
      'high',
      'aws_s3_bucket.Logs_Bucket_3640F0F5',
      'force_destroy turned on: Terraform may delete it with its contents',
      'true',
    ],
  ];

  it.each(cases)('GIVEN %s THEN it is flagged', (_name, change, severity, address, message, after) => {
    const findings = findingsAfter(change);
    expect(findings.map(brief)).toEqual([[severity, 'protection-lowered', address, message]]);
    expect(findings[0].after).toBe(after);
  });

  it('GIVEN a backup plan removed THEN high', () => {
    const findings = findingsAfter((edit) => delete edit.resources().aws_backup_plan);
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'protection-lowered',
        'aws_backup_plan.Backup_Plan_ABEAF177',
        'backup plan removed: its backups stop',
      ],
    ]);
  });
});

describe('network widened', () => {
  const ingress = (edit: Editable) =>
    edit.resources().aws_vpc_security_group_ingress_rule.Database_FromVpc_ABFC2838;

  it('GIVEN a security group rule opened to 0.0.0.0/0 THEN critical, with the old and new rule', () => {
    const findings = findingsAfter((edit) => (ingress(edit).cidr_ipv4 = '0.0.0.0/0'));
    expect(findings).toEqual([
      {
        severity: 'critical',
        category: 'network-widened',
        stack: PLATFORM,
        address: DB_RULE,
        constructPath: `${PLATFORM}/Database/FromVpc`,
        message:
          'ingress widened: tcp 5432 from 0.0.0.0/0 (on aws_security_group.Database_SecurityGroup_71981D66)',
        before: 'tcp 5432 from 10.0.0.0/16',
        after: 'tcp 5432 from 0.0.0.0/0',
      },
    ]);
  });

  it('GIVEN a larger CIDR block THEN high', () => {
    const findings = findingsAfter((edit) => (ingress(edit).cidr_ipv4 = '10.0.0.0/8'));
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        DB_RULE,
        expect.stringMatching(/^ingress widened: tcp 5432 from 10.0.0.0\/8/),
      ],
    ]);
  });

  it('GIVEN a wider port range THEN high', () => {
    const findings = findingsAfter((edit) => (ingress(edit).to_port = 5440));
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        DB_RULE,
        expect.stringMatching(/^ingress widened: tcp 5432-5440 from 10.0.0.0\/16/),
      ],
    ]);
  });

  it('GIVEN protocol -1 THEN high: all traffic', () => {
    const findings = findingsAfter((edit) => {
      ingress(edit).ip_protocol = '-1';
      delete ingress(edit).from_port;
      delete ingress(edit).to_port;
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        DB_RULE,
        expect.stringMatching(/^ingress widened: all traffic from 10.0.0.0\/16/),
      ],
    ]);
  });

  it('GIVEN a new ingress rule resource THEN high', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_vpc_security_group_ingress_rule.Database_FromOffice = {
        cidr_ipv4: '192.168.0.0/24',
        from_port: 5432,
        ip_protocol: 'tcp',
        security_group_id: '${aws_security_group.Database_SecurityGroup_71981D66.id}',
        to_port: 5432,
      };
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        'aws_vpc_security_group_ingress_rule.Database_FromOffice',
        expect.stringMatching(/^ingress widened: tcp 5432 from 192.168.0.0\/24/),
      ],
    ]);
    expect(findings[0].before).toBe('tcp 5432 from 10.0.0.0/16');
  });

  it('GIVEN a rule moved to a new resource unchanged THEN no finding', () => {
    const findings = findingsAfter((edit) => {
      const rules = edit.resources().aws_vpc_security_group_ingress_rule;
      rules.Database_FromVpcRenamed = {
        ...rules.Database_FromVpc_ABFC2838,
        '//': { metadata: { path: 'x/y' } },
      };
      delete rules.Database_FromVpc_ABFC2838;
    });
    expect(findings).toEqual([]);
  });

  it('GIVEN an inline security group egress rule to the internet THEN medium', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_security_group.Database_SecurityGroup_71981D66.egress = [
        { cidr_blocks: ['0.0.0.0/0'], from_port: 0, protocol: '-1', to_port: 0 },
      ];
    });
    expect(findings.map(brief)).toEqual([
      [
        'medium',
        'network-widened',
        'aws_security_group.Database_SecurityGroup_71981D66',
        'egress widened: all traffic to 0.0.0.0/0 (on aws_security_group.Database_SecurityGroup_71981D66)',
      ],
    ]);
  });

  it('GIVEN a network ACL deny entry removed THEN high', () => {
    const findings = findingsAfter((edit) => {
      (edit.resources().aws_network_acl.Network_PublicAcl_5E6F7A8B.ingress as unknown[]).splice(0, 1);
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        'aws_network_acl.Network_PublicAcl_5E6F7A8B',
        'network ACL ingress deny entry removed or narrowed: deny tcp 3389 from 0.0.0.0/0',
      ],
    ]);
  });

  it('GIVEN a network ACL allow entry widened THEN critical', () => {
    const findings = findingsAfter((edit) => {
      const entries = edit.resources().aws_network_acl.Network_PublicAcl_5E6F7A8B.ingress as JsonObject[];
      entries[1].to_port = 8443;
    });
    expect(findings.map(brief)).toEqual([
      [
        'critical',
        'network-widened',
        'aws_network_acl.Network_PublicAcl_5E6F7A8B',
        expect.stringMatching(/^ingress widened: tcp 443-8443 from 0.0.0.0\/0/),
      ],
    ]);
  });

  it('GIVEN a NetworkPolicy rule added from the internet THEN high', () => {
    const findings = findingsAfter((edit) => {
      const spec = edit.resources(APP).kubernetes_network_policy_v1.Api_FromLoadBalancer_638889F8
        .spec as JsonObject;
      (spec.ingress as JsonObject[]).push({
        from: [{ ip_block: { cidr: '0.0.0.0/0' } }],
        ports: [{ port: '4000' }],
      });
    });
    expect(findings.map(brief)).toEqual([
      ['high', 'network-widened', NETWORK_POLICY, 'ingress widened: tcp 4000 from 0.0.0.0/0'],
    ]);
  });

  it('GIVEN a NetworkPolicy rule losing its ports and peers THEN it allows any peer on any port', () => {
    const findings = findingsAfter((edit) => {
      const spec = edit.resources(APP).kubernetes_network_policy_v1.Api_FromLoadBalancer_638889F8
        .spec as JsonObject;
      spec.ingress = [{}];
    });
    expect(findings.map(brief)).toEqual([
      ['high', 'network-widened', NETWORK_POLICY, 'ingress widened: all traffic from any peer'],
    ]);
  });

  it('GIVEN a NetworkPolicy removed THEN high', () => {
    const findings = findingsAfter((edit) => delete edit.resources(APP).kubernetes_network_policy_v1);
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        NETWORK_POLICY,
        'NetworkPolicy removed: the pods it selected lose its restrictions',
      ],
    ]);
  });

  it('GIVEN a NetworkPolicy that no longer lists Ingress in policy_types THEN high', () => {
    const findings = findingsAfter((edit) => {
      const spec = edit.resources(APP).kubernetes_network_policy_v1.Api_FromLoadBalancer_638889F8
        .spec as JsonObject;
      spec.policy_types = ['Egress'];
      delete spec.ingress;
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'network-widened',
        NETWORK_POLICY,
        'NetworkPolicy no longer restricts Ingress traffic (policy_types)',
      ],
    ]);
  });

  it('GIVEN a new NetworkPolicy for pods no policy selected THEN no finding (it restricts them)', () => {
    const findings = findingsAfter((edit) => {
      edit.resources(APP).kubernetes_network_policy_v1.Web_Policy = {
        metadata: { name: 'wms-web', namespace: 'wms' },
        spec: { ingress: [{}], pod_selector: { match_labels: { 'app.kubernetes.io/name': 'wms-web' } } },
      };
    });
    expect(findings).toEqual([]);
  });
});

describe('IAM widened', () => {
  const setPolicy = (edit: Editable, ...statements: object[]) => {
    edit.resources().aws_iam_role_policy.App_Policy_8F960C7F.policy = policy(...statements);
  };
  const read = {
    Sid: 'ReadLogs',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::wms-test-logs-111111111111/*',
  };

  it('GIVEN a statement with a wildcard action on all resources THEN high', () => {
    const findings = findingsAfter((edit) =>
      setPolicy(edit, read, { Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    );
    expect(findings).toEqual([
      {
        severity: 'high',
        category: 'iam-widened',
        stack: PLATFORM,
        address: APP_POLICY,
        constructPath: `${PLATFORM}/App/Policy`,
        message: 'policy grants Allow s3:* on * (wildcard action, all resources)',
        before: '(not granted)',
        after: 'Allow s3:* on *',
      },
    ]);
  });

  it('GIVEN a new action on the same resource THEN medium naming only the new action', () => {
    const findings = findingsAfter((edit) =>
      setPolicy(edit, { ...read, Action: ['s3:GetObject', 's3:PutObject'] }),
    );
    expect(findings.map(brief)).toEqual([
      [
        'medium',
        'iam-widened',
        APP_POLICY,
        'policy grants Allow s3:PutObject on arn:aws:s3:::wms-test-logs-111111111111/*',
      ],
    ]);
  });

  it('GIVEN a new resource THEN medium', () => {
    const findings = findingsAfter((edit) =>
      setPolicy(edit, {
        ...read,
        Resource: ['arn:aws:s3:::wms-test-logs-111111111111/*', 'arn:aws:s3:::other/*'],
      }),
    );
    expect(findings.map(brief)).toEqual([
      ['medium', 'iam-widened', APP_POLICY, 'policy grants Allow s3:GetObject on arn:aws:s3:::other/*'],
    ]);
  });

  it('GIVEN statements reordered and Sids changed THEN no finding', () => {
    const findings = findingsAfter((edit) => setPolicy(edit, { ...read, Sid: 'Renamed' }));
    expect(findings).toEqual([]);
  });

  it('GIVEN a key policy that gains a principal "*" with no condition THEN critical', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_kms_key.Database_Key_64F5EF26.policy = policy(
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'kms:*',
          Resource: '*',
        },
        { Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
      );
    });
    expect(findings.map(brief)).toEqual([
      [
        'critical',
        'iam-widened',
        'aws_kms_key.Database_Key_64F5EF26',
        'policy grants Allow kms:Decrypt on * to * (any principal)',
      ],
    ]);
  });

  it('GIVEN a statement that loses its condition THEN high', () => {
    const conditioned = { ...read, Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
    const findings = findingsAfter((edit) => {
      setPolicy(edit, read);
      (
        edit.base.stacks.get(PLATFORM)?.resource as Record<string, Record<string, JsonObject>>
      ).aws_iam_role_policy.App_Policy_8F960C7F.policy = policy(conditioned);
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'iam-widened',
        APP_POLICY,
        'policy: Allow s3:GetObject on arn:aws:s3:::wms-test-logs-111111111111/* loses conditions',
      ],
    ]);
    expect(findings[0]).toMatchObject({ before: 'Bool aws:SecureTransport=true', after: '(no condition)' });
  });

  it('GIVEN a Deny statement removed THEN high', () => {
    const deny = { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' };
    const findings = findingsAfter((edit) => {
      (
        edit.base.stacks.get(PLATFORM)?.resource as Record<string, Record<string, JsonObject>>
      ).aws_iam_role_policy.App_Policy_8F960C7F.policy = policy(read, deny);
    });
    expect(findings.map(brief)).toEqual([
      ['high', 'iam-widened', APP_POLICY, 'policy: a Deny statement is removed or changed'],
    ]);
  });

  it('GIVEN an existing role trusting a new principal THEN high (assume_role_policy)', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_iam_role.App_Role_12587EC3.assume_role_policy = policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com', AWS: 'arn:aws:iam::222222222222:root' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      });
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'iam-widened',
        'aws_iam_role.App_Role_12587EC3',
        'assume_role_policy grants Allow sts:AssumeRole, sts:TagSession to AWS:arn:aws:iam::222222222222:root (who may assume the role)',
      ],
    ]);
  });

  it('GIVEN a policy only known at apply time changed THEN medium: it cannot be compared', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_iam_role_policy.App_Policy_8F960C7F.policy = '${data.external.policy.result}';
    });
    expect(findings.map(brief)).toEqual([
      [
        'medium',
        'iam-widened',
        APP_POLICY,
        'policy changed and cannot be compared statically (unresolved value)',
      ],
    ]);
  });

  it('GIVEN a policy that refers to a changed aws_iam_policy_document THEN the document is compared', () => {
    const document = (actions: string[]) => ({
      statement: [{ actions, effect: 'Allow', resources: ['arn:aws:s3:::b/*'] }],
    });
    const findings = findingsAfter((edit) => {
      const reference = '${data.aws_iam_policy_document.AppDocument.json}';
      for (const [tree, actions] of [
        [edit.base, ['s3:GetObject']],
        [edit.after, ['s3:GetObject', 's3:DeleteObject']],
      ] as const) {
        const stack = tree.stacks.get(PLATFORM) as JsonObject;
        stack.data = { aws_iam_policy_document: { AppDocument: document([...actions]) } };
        (
          stack.resource as Record<string, Record<string, JsonObject>>
        ).aws_iam_role_policy.App_Policy_8F960C7F.policy = reference;
      }
    });
    expect(findings.map(brief)).toEqual([
      ['medium', 'iam-widened', APP_POLICY, 'policy grants Allow s3:DeleteObject on arn:aws:s3:::b/*'],
    ]);
  });

  it('GIVEN an administrator managed policy attached THEN high', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_iam_role_policy_attachment = {
        App_Admin: { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess', role: 'wms-test-app' },
        App_ReadOnly: { policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', role: 'wms-test-app' },
      };
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'iam-widened',
        'aws_iam_role_policy_attachment.App_Admin',
        'managed policy attached: arn:aws:iam::aws:policy/AdministratorAccess to wms-test-app',
      ],
      [
        'medium',
        'iam-widened',
        'aws_iam_role_policy_attachment.App_ReadOnly',
        'managed policy attached: arn:aws:iam::aws:policy/ReadOnlyAccess to wms-test-app',
      ],
    ]);
  });

  it('GIVEN an EKS access entry and a cluster-admin association added THEN medium and high', () => {
    const principal = 'arn:aws:iam::111111111111:role/contractor';
    const findings = findingsAfter((edit) => {
      edit.resources().aws_eks_access_entry = {
        Contractor: { cluster_name: 'wms-test-eks', principal_arn: principal },
      };
      edit.resources().aws_eks_access_policy_association = {
        ContractorAdmin: {
          access_scope: { type: 'cluster' },
          cluster_name: 'wms-test-eks',
          policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          principal_arn: principal,
        },
      };
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'iam-widened',
        'aws_eks_access_policy_association.ContractorAdmin',
        `EKS access policy arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy associated with ${principal} (scope cluster)`,
      ],
      ['medium', 'iam-widened', 'aws_eks_access_entry.Contractor', `EKS access entry added for ${principal}`],
    ]);
  });
});

describe('public exposure', () => {
  it('GIVEN map_public_ip_on_launch turned on THEN high', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_subnet.Network_PublicSubnet0_AB12CD34.map_public_ip_on_launch = true;
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'public-exposure',
        'aws_subnet.Network_PublicSubnet0_AB12CD34',
        'map_public_ip_on_launch turned on: instances get public IPs',
      ],
    ]);
  });

  it('GIVEN a database instance made publicly accessible THEN critical', () => {
    const findings = findingsAfter((edit) => {
      edit.resources().aws_rds_cluster_instance.Database_Instance0_9F8E7D6C.publicly_accessible = true;
    });
    expect(findings.map(brief)).toEqual([
      [
        'critical',
        'public-exposure',
        'aws_rds_cluster_instance.Database_Instance0_9F8E7D6C',
        'publicly_accessible turned on: the database gets a public address',
      ],
    ]);
  });

  it('GIVEN the EKS endpoint made public (or its setting removed: the default is public) THEN high', () => {
    for (const change of [
      (vpc: JsonObject) => (vpc.endpoint_public_access = true),
      (vpc: JsonObject) => delete vpc.endpoint_public_access,
    ]) {
      const findings = findingsAfter((edit) =>
        change(edit.resources().aws_eks_cluster.Eks_Cluster_9EEA9CA8.vpc_config as JsonObject),
      );
      expect(findings.map(brief)).toEqual([
        ['high', 'public-exposure', 'aws_eks_cluster.Eks_Cluster_9EEA9CA8', 'EKS API endpoint made public'],
      ]);
    }
  });

  it('GIVEN a public EKS endpoint whose public_access_cidrs widen THEN high', () => {
    const findings = findingsAfter((edit) => {
      const setCidrs = (tree: 'base' | 'after', cidrs: string[]) => {
        const stack = edit[tree].stacks.get(PLATFORM) as JsonObject;
        const eks = (stack.resource as Record<string, Record<string, JsonObject>>).aws_eks_cluster
          .Eks_Cluster_9EEA9CA8;
        eks.vpc_config = {
          ...(eks.vpc_config as JsonObject),
          endpoint_public_access: true,
          public_access_cidrs: cidrs,
        };
      };
      setCidrs('base', ['203.0.113.0/24']);
      setCidrs('after', ['203.0.113.0/24', '198.51.100.0/24']);
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'public-exposure',
        'aws_eks_cluster.Eks_Cluster_9EEA9CA8',
        'EKS public_access_cidrs widened: 198.51.100.0/24',
      ],
    ]);
  });

  it('GIVEN an Ingress made internet-facing THEN high', () => {
    const findings = findingsAfter((edit) => {
      const metadata = edit.resources(APP).kubernetes_ingress_v1.Api_Ingress_F1EDDEA5.metadata as JsonObject;
      (metadata.annotations as JsonObject)['alb.ingress.kubernetes.io/scheme'] = 'internet-facing';
    });
    expect(findings.map(brief)).toEqual([
      [
        'high',
        'public-exposure',
        'kubernetes_ingress_v1.Api_Ingress_F1EDDEA5',
        'Ingress made internet-facing',
      ],
    ]);
  });

  it('GIVEN a new internet-facing Ingress and a new internal one THEN high and medium', () => {
    const findings = findingsAfter((edit) => {
      const ingress = (scheme?: string) => ({
        metadata: {
          name: 'x',
          namespace: 'wms',
          annotations: scheme ? { 'alb.ingress.kubernetes.io/scheme': scheme } : {},
        },
      });
      edit.resources(APP).kubernetes_ingress_v1.Public = ingress('internet-facing');
      edit.resources(APP).kubernetes_ingress_v1.Private = ingress();
    });
    expect(findings.map(brief)).toEqual([
      ['high', 'public-exposure', 'kubernetes_ingress_v1.Public', 'new internet-facing Ingress'],
      ['medium', 'public-exposure', 'kubernetes_ingress_v1.Private', 'new Ingress'],
    ]);
  });

  it('GIVEN a Service of type LoadBalancer THEN high', () => {
    const findings = findingsAfter((edit) => {
      (edit.resources(APP).kubernetes_service_v1.Api_Service_84D67477.spec as JsonObject).type =
        'LoadBalancer';
    });
    expect(findings.map(brief)).toEqual([
      ['high', 'public-exposure', 'kubernetes_service_v1.Api_Service_84D67477', 'Service type LoadBalancer'],
    ]);
  });

  it('GIVEN the S3 public access block loosened or removed THEN critical', () => {
    const loosened = findingsAfter((edit) => {
      edit.resources().aws_s3_bucket_public_access_block.Logs_PublicAccessBlock_27F068E3.restrict_public_buckets = false;
    });
    const removed = findingsAfter((edit) => delete edit.resources().aws_s3_bucket_public_access_block);
    const address = 'aws_s3_bucket_public_access_block.Logs_PublicAccessBlock_27F068E3';
    expect(loosened.map(brief)).toEqual([
      ['critical', 'public-exposure', address, 'S3 public access block loosened: restrict_public_buckets'],
    ]);
    expect(removed.map(brief)).toEqual([
      ['critical', 'public-exposure', address, 'S3 public access block removed'],
    ]);
  });
});

describe('guardrail suppressions', () => {
  const secret = (edit: Editable) =>
    edit.resources().aws_secretsmanager_secret.Database_Secret_6B166CC5['//'] as JsonObject;

  it('GIVEN a suppression added THEN medium, with its reason', () => {
    const findings = findingsAfter((edit) => {
      (secret(edit).suppressions as JsonObject[]).push({
        id: 'CKV_AWS_149',
        reason: 'AWS managed key for now.',
      });
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'medium',
        category: 'suppression-added',
        address: 'aws_secretsmanager_secret.Database_Secret_6B166CC5',
        message: 'guardrail suppression added: CKV_AWS_149',
        after: 'CKV_AWS_149: AWS managed key for now.',
      }),
    ]);
  });

  it('GIVEN a suppression reason changed THEN medium; a suppression removed THEN nothing', () => {
    const changed = findingsAfter((edit) => {
      (secret(edit).suppressions as JsonObject[])[0].reason = 'Someone said so.';
    });
    expect(changed.map(brief)).toEqual([
      [
        'medium',
        'suppression-added',
        'aws_secretsmanager_secret.Database_Secret_6B166CC5',
        'guardrail suppression reason changed: CKV2_AWS_57',
      ],
    ]);
    expect(findingsAfter((edit) => delete secret(edit).suppressions)).toEqual([]);
  });
});

describe('the fixture pull request', () => {
  it('GIVEN a change of every kind THEN every category is found, sorted by stack, severity and address', () => {
    const findings = buildReport(fixture('base'), fixture('after')).findings;
    expect(new Set(findings.map((f) => f.category))).toEqual(
      new Set([
        'stateful-identity',
        'protection-lowered',
        'network-widened',
        'iam-widened',
        'public-exposure',
        'suppression-added',
      ]),
    );
    const rank = { critical: 0, high: 1, medium: 2, low: 3 };
    const keys = findings.map((f) => `${f.stack} ${rank[f.severity]} ${f.address}`);
    expect(keys).toEqual([...keys].sort());
    expect(findings.some((f) => f.address === 'aws_vpc.Network_Vpc_1A2B3C4D')).toBe(false);
  });
});
