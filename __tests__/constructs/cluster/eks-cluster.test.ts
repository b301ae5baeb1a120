import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { TerraformOutput } from 'cdktf';
import type { EksClusterProps, IEksCluster } from '../../../constructs/cluster/eks-cluster';
import {
  CONTROL_PLANE_LOG_TYPES,
  EksCluster,
  NODE_POOL_LABEL,
  WORKLOAD_SERVICE_ACCOUNTS,
} from '../../../constructs/cluster/eks-cluster';
import { SPOT_TAINT } from '../../../constructs/shared/capacity';
import { CLUSTER_SERVICES_IDENTITIES } from '../../../constructs/cluster/cluster-services';
import { MONITORING_IDENTITIES } from '../../../constructs/observability/monitoring';
import {
  cloudwatchMetricsReaderPolicy,
  databaseConnectPolicy,
  externalDnsPolicy,
  objectStorePolicy,
  secretReaderPolicy,
} from '../../../constructs/cluster/workload-policies';
import { fakeNetwork } from '../../support/network';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

const ACCOUNT = '123456789012';
const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const BASE: EksClusterProps = {
  clusterName: 'wms-test-eks',
  accountId: ACCOUNT,
  region: 'eu-west-1',
  network: fakeNetwork(3),
  kubernetesVersion: '1.35',
  // A real EKS 1.35 set, as pinned by several public Terraform configurations (code index, late 2026).
  addonVersions: {
    vpcCni: 'v1.21.1-eksbuild.7',
    coredns: 'v1.13.2-eksbuild.4',
    kubeProxy: 'v1.35.3-eksbuild.2',
    podIdentityAgent: 'v1.3.10-eksbuild.3',
    ebsCsiDriver: 'v1.57.1-eksbuild.1',
  },
  accessRoles: {
    adminRoleArn: roleArn('admin'),
    readOnlyRoleArn: roleArn('read-only'),
    planRoleArn: roleArn('plan'),
    deployRoleArn: roleArn('ci-deploy'),
  },
  nodeGroups: {
    system: { instanceTypes: ['m6i.large'], minSize: 2, desiredSize: 3, maxSize: 4 },
    spot: { instanceTypes: ['m6i.large', 'm5.large', 'm6a.large'], minSize: 0, desiredSize: 1, maxSize: 6 },
  },
  logRetentionDays: 365,
};

/** What the platform stack grants the workloads that reach its resources, as literals. */
const WORKLOADS = {
  hostedZoneArn: 'arn:aws:route53:::hostedzone/Z0123456789ABC',
  externalSecretArns: [secretArn('wms/test/db')],
  lokiBucketArn: 'arn:aws:s3:::wms-test-loki',
  lokiBucketKeyArn: undefined as string | undefined,
  tempoBucketArn: 'arn:aws:s3:::wms-test-tempo',
  metricsWorkspaceArn: `arn:aws:aps:eu-west-1:${ACCOUNT}:workspace/ws-0123`,
  apiSecretArns: [secretArn('wms/test/api')],
  dbUserArn: `arn:aws:rds-db:eu-west-1:${ACCOUNT}:dbuser:cluster-ABCDEFGHIJKL/wms_api`,
  secretsKmsKeyArns: [] as string[],
};
const API_ACCOUNT = { namespace: 'wms', serviceAccount: 'wms-api' };

/** The identities the platform stack adds through the cluster's API (stacks/platform-stack.ts), by id. */
function addWorkloadIdentities(eks: EksCluster, workloads: typeof WORKLOADS): Record<string, string> {
  const add = (id: string, account: { namespace: string; serviceAccount: string }, statements: unknown[]) =>
    eks.addWorkloadIdentity(id, { ...account, description: id, statements: statements as never }).roleArn;
  const keys = workloads.secretsKmsKeyArns;
  return {
    externalDns: add(
      'ExternalDns',
      CLUSTER_SERVICES_IDENTITIES.externalDns,
      externalDnsPolicy(workloads.hostedZoneArn),
    ),
    externalSecrets: add(
      'ExternalSecrets',
      CLUSTER_SERVICES_IDENTITIES.externalSecrets,
      secretReaderPolicy('eu-west-1', workloads.externalSecretArns, keys),
    ),
    loki: add(
      'Loki',
      MONITORING_IDENTITIES.loki,
      objectStorePolicy('eu-west-1', workloads.lokiBucketArn, workloads.lokiBucketKeyArn),
    ),
    tempo: add(
      'Tempo',
      MONITORING_IDENTITIES.tempo,
      objectStorePolicy('eu-west-1', workloads.tempoBucketArn),
    ),
    prometheus: add('Prometheus', MONITORING_IDENTITIES.prometheus, [
      { Effect: 'Allow', Action: ['aps:RemoteWrite'], Resource: workloads.metricsWorkspaceArn },
    ]),
    grafana: add('Grafana', MONITORING_IDENTITIES.grafana, [
      { Effect: 'Allow', Action: ['aps:QueryMetrics'], Resource: workloads.metricsWorkspaceArn },
    ]),
    cloudwatchExporter: add(
      'CloudwatchExporter',
      MONITORING_IDENTITIES.cloudwatchExporter,
      cloudwatchMetricsReaderPolicy(),
    ),
    api: add('Api', API_ACCOUNT, [
      ...secretReaderPolicy('eu-west-1', workloads.apiSecretArns, keys),
      ...databaseConnectPolicy(workloads.dbUserArn),
    ]),
  };
}

type Row = Record<string, unknown>;
type Json = ReturnType<typeof synthJson>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function build(overrides: Partial<EksClusterProps> = {}, workloads: Partial<typeof WORKLOADS> = {}) {
  const stack = awsTestStack();
  const eks = new EksCluster(stack, 'Eks', { ...BASE, ...overrides });
  const identityRoles = addWorkloadIdentities(eks, { ...WORKLOADS, ...workloads });
  // Outputs show what each exposed attribute resolves to.
  const attributes = {
    clusterName: eks.clusterName,
    clusterArn: eks.clusterArn,
    endpoint: eks.endpoint,
    certificateAuthorityData: eks.certificateAuthorityData,
    oidcIssuerUrl: eks.oidcIssuerUrl,
    nodeSecurityGroupId: eks.nodeSecurityGroupId,
    clusterSecurityGroupId: eks.clusterSecurityGroupId,
    kmsKeyArn: eks.kmsKeyArn,
    karpenterQueueName: eks.karpenterQueueName,
    karpenterNodeRoleName: eks.karpenterNodeRoleName,
  } satisfies Record<
    Exclude<keyof IEksCluster, 'roles' | 'addWorkloadIdentity' | 'allowEndpointAccessFrom'>,
    string
  >;
  for (const [name, value] of Object.entries({ ...attributes, ...eks.roles, ...identityRoles })) {
    new TerraformOutput(stack, name, { value });
  }
  return { json: synthJson(stack) };
}
const output = (json: Json, name: string) => (json.output as Record<string, { value: unknown }>)[name].value;

const one = (json: Json, type: string): Row => {
  const rows = listOfType(json, type);
  expect(rows).toHaveLength(1);
  return rows[0];
};
/** The logical id of the single resource of a type whose id contains `fragment`. */
const idOf = (json: Json, type: string, fragment: string): string => {
  const ids = Object.keys(resourcesOfType(json, type)).filter((id) => id.includes(fragment));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const byId = (json: Json, type: string, fragment: string): Row =>
  resourcesOfType(json, type)[idOf(json, type, fragment)];
const ref = (json: Json, type: string, fragment: string, attribute = 'id') =>
  `\${${type}.${idOf(json, type, fragment)}.${attribute}}`;
const statementsOf = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;
const asList = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());
/** The inline policy statements of the workload identity with this construct id. */
const inlinePolicy = (json: Json, identity: string) =>
  statementsOf(byId(json, 'aws_iam_role_policy', `Eks_${identity}_Policy`).policy);

describe('EksCluster', () => {
  describe('defaults', () => {
    const { json } = build();
    const cluster = one(json, 'aws_eks_cluster');

    it('pins the version in standard support and uses access entries only, with no hidden creator admin', () => {
      expect(cluster).toMatchObject({
        name: 'wms-test-eks',
        version: '1.35',
        upgrade_policy: { support_type: 'STANDARD' },
        access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
        bootstrap_self_managed_addons: false,
      });
    });

    it('envelope-encrypts secrets with the customer-managed key, which rotates', () => {
      expect(cluster.encryption_config).toEqual({
        resources: ['secrets'],
        provider: { key_arn: ref(json, 'aws_kms_key', 'Eks_Key', 'arn') },
      });
      expect(one(json, 'aws_kms_key')).toMatchObject({
        enable_key_rotation: true,
        deletion_window_in_days: 30,
      });
      expect(one(json, 'aws_kms_alias').name).toBe('alias/wms-test-eks');
    });

    it('keeps the endpoint private and the control-plane ENIs in the private subnets', () => {
      expect(cluster.vpc_config).toEqual({
        endpoint_private_access: true,
        endpoint_public_access: false,
        subnet_ids: BASE.network.privateSubnetIds,
        security_group_ids: [ref(json, 'aws_security_group', 'ClusterSecurityGroup')],
      });
    });

    it('is deletion-protected through prevent_destroy', () => {
      expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    });

    it('logs all five control-plane log types to an encrypted log group kept on destroy, created first', () => {
      expect(cluster.enabled_cluster_log_types).toEqual(CONTROL_PLANE_LOG_TYPES);
      expect(CONTROL_PLANE_LOG_TYPES).toHaveLength(5);
      expect(one(json, 'aws_cloudwatch_log_group')).toEqual({
        name: '/aws/eks/wms-test-eks/cluster',
        retention_in_days: 365,
        kms_key_id: ref(json, 'aws_kms_key', 'Eks_Key', 'arn'),
        skip_destroy: true,
      });
      expect(cluster.depends_on).toContain(
        `aws_cloudwatch_log_group.${idOf(json, 'aws_cloudwatch_log_group', 'ControlPlaneLogGroup')}`,
      );
    });

    it('does not import the log group', () => {
      expect(json.import).toBeUndefined();
    });

    it('lets CloudWatch Logs use the key only for the control-plane log group, and Auto Scaling for volumes', () => {
      const statements = statementsOf(one(json, 'aws_kms_key').policy);
      const logs = statements.find((s) => s.Sid === 'ControlPlaneLogGroupUses');
      expect(logs?.Condition).toEqual({
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/eks/wms-test-eks/cluster`,
        },
      });
      const grant = statements.find((s) => s.Sid === 'NodeGroupVolumesGrant');
      expect(grant?.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    });

    it('gives the cluster role only AmazonEKSClusterPolicy and the use of its key', () => {
      const attachments = listOfType(json, 'aws_iam_role_policy_attachment').filter(
        (a) => a.role === ref(json, 'aws_iam_role', 'Eks_ClusterRole', 'name'),
      );
      expect(attachments.map((a) => a.policy_arn)).toEqual([
        'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
      ]);
      expect(statementsOf(byId(json, 'aws_iam_role_policy', 'ClusterRoleEncryption').policy)).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: ref(json, 'aws_kms_key', 'Eks_Key', 'arn'),
        },
      ]);
    });

    it('grants cluster admin to the admin and deploy roles, and view without Secrets to the read-only and plan roles, cluster-wide', () => {
      const standard = listOfType(json, 'aws_eks_access_entry').filter((e) => e.type === 'STANDARD');
      expect(standard.map((e) => e.principal_arn).sort()).toEqual(
        [roleArn('admin'), roleArn('ci-deploy'), roleArn('read-only'), roleArn('plan')].sort(),
      );
      const policies = listOfType(json, 'aws_eks_access_policy_association');
      const policyOf = Object.fromEntries(
        policies.map((p) => [p.principal_arn, [p.policy_arn, p.access_scope]]),
      );
      expect(policyOf).toEqual({
        [roleArn('admin')]: [expect.stringMatching(/AmazonEKSClusterAdminPolicy$/), { type: 'cluster' }],
        [roleArn('read-only')]: [expect.stringMatching(/AmazonEKSViewPolicy$/), { type: 'cluster' }],
        [roleArn('plan')]: [expect.stringMatching(/AmazonEKSViewPolicy$/), { type: 'cluster' }],
        [roleArn('ci-deploy')]: [expect.stringMatching(/AmazonEKSClusterAdminPolicy$/), { type: 'cluster' }],
      });
      // No access policy lets the plan role read a Secret (AdminView would).
      expect(policies.filter((p) => String(p.policy_arn).endsWith('AmazonEKSAdminViewPolicy'))).toEqual([]);
    });

    it('puts the plan role in the group RBAC lets read Terraform-managed Secrets by name, and no one else', () => {
      const groups = Object.fromEntries(
        listOfType(json, 'aws_eks_access_entry').map((e) => [e.principal_arn, e.kubernetes_groups]),
      );
      expect(groups).toEqual({
        [roleArn('admin')]: undefined,
        [roleArn('read-only')]: undefined,
        [roleArn('ci-deploy')]: undefined,
        [roleArn('plan')]: ['wms:plan-secret-readers'],
      });
    });

    it('launches nodes from a template with IMDSv2 only, hop limit 1, an encrypted gp3 root and no SSH key', () => {
      const template = one(json, 'aws_launch_template');
      expect(template.metadata_options).toEqual({
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
      });
      expect(template.block_device_mappings).toEqual([
        {
          device_name: '/dev/xvda',
          ebs: {
            volume_size: 50,
            volume_type: 'gp3',
            encrypted: 'true',
            kms_key_id: ref(json, 'aws_kms_key', 'Eks_Key', 'arn'),
            delete_on_termination: 'true',
          },
        },
      ]);
      expect(template.key_name).toBeUndefined();
      expect(template.vpc_security_group_ids).toEqual([ref(json, 'aws_security_group', 'NodeSecurityGroup')]);
    });

    it('GIVEN resourceTags THEN the launch template tags instances, volumes and interfaces, and the EBS CSI volumes', () => {
      const tags = { Project: 'wms', CostCentre: 'wms-test', Repository: 'acme/wms-platform' };
      const { json: tagged } = build({ resourceTags: tags });
      const template = byId(tagged, 'aws_launch_template', 'NodeLaunchTemplate');
      expect(template.tag_specifications).toEqual([
        { resource_type: 'instance', tags },
        { resource_type: 'volume', tags },
        { resource_type: 'network-interface', tags },
      ]);
      const ebs = byId(tagged, 'aws_eks_addon', 'EbsCsiDriverAddon');
      expect(JSON.parse(ebs.configuration_values as string)).toEqual({
        controller: { extraVolumeTags: tags },
      });
    });

    it('GIVEN no resourceTags (the default) THEN nothing outside Terraform is tagged', () => {
      expect(byId(json, 'aws_launch_template', 'NodeLaunchTemplate').tag_specifications).toBeUndefined();
      expect(byId(json, 'aws_eks_addon', 'EbsCsiDriverAddon').configuration_values).toBeUndefined();
    });

    it('GIVEN a tag the EBS CSI add-on refuses THEN it names the tag and what is allowed', () => {
      expect(() => build({ resourceTags: { Owner: 'team#1' } })).toThrow(
        /resourceTags: {"Owner":"team#1"} is not allowed \(keys of 1-128 and values of 1-256 letters, digits, spaces or _ \. : \/ = \+ - @\)/,
      );
    });

    it('GIVEN no spot group (the default) THEN only the on-demand system group is paid for', () => {
      const { json: withoutSpot } = build({ nodeGroups: { system: BASE.nodeGroups.system } });
      const groups = listOfType(withoutSpot, 'aws_eks_node_group');
      expect(groups.map((group) => group.capacity_type)).toEqual(['ON_DEMAND']);
    });

    it('runs an on-demand system group and a tainted Spot group on AL2023 across every private subnet', () => {
      const system = byId(json, 'aws_eks_node_group', 'SystemNodeGroup');
      const spot = byId(json, 'aws_eks_node_group', 'SpotNodeGroup');
      expect(system).toMatchObject({
        node_group_name_prefix: 'wms-test-eks-system-',
        capacity_type: 'ON_DEMAND',
        instance_types: ['m6i.large'],
        scaling_config: { min_size: 2, desired_size: 3, max_size: 4 },
        labels: { [NODE_POOL_LABEL]: 'system' },
      });
      expect(system.taint).toBeUndefined();
      expect(spot).toMatchObject({
        capacity_type: 'SPOT',
        instance_types: ['m6i.large', 'm5.large', 'm6a.large'],
        scaling_config: { min_size: 0, desired_size: 1, max_size: 6 },
        labels: { [NODE_POOL_LABEL]: 'spot' },
        taint: [{ key: SPOT_TAINT.key, value: SPOT_TAINT.value, effect: 'NO_SCHEDULE' }],
      });
      for (const group of [system, spot]) {
        expect(group).toMatchObject({
          ami_type: 'AL2023_x86_64_STANDARD',
          subnet_ids: BASE.network.privateSubnetIds,
          launch_template: {
            id: ref(json, 'aws_launch_template', 'NodeLaunchTemplate'),
            version: ref(json, 'aws_launch_template', 'NodeLaunchTemplate', 'latest_version'),
          },
          version: ref(json, 'aws_eks_cluster', 'Eks_Cluster', 'version'),
        });
        expect(group.remote_access).toBeUndefined();
      }
    });

    it('by default pins no AMI release (EKS takes the newest at creation); GIVEN one THEN both groups run it', () => {
      for (const group of listOfType(json, 'aws_eks_node_group'))
        expect(group.release_version).toBeUndefined();
      const pinned = listOfType(
        build({ nodeAmiReleaseVersion: '1.35.6-20260714' }).json,
        'aws_eks_node_group',
      );
      expect(pinned.map((group) => group.release_version)).toEqual(['1.35.6-20260714', '1.35.6-20260714']);
    });

    it('rolls nodes out safely, repairs them, and leaves desired size to the autoscaler after creation', () => {
      for (const group of listOfType(json, 'aws_eks_node_group')) {
        expect(group).toMatchObject({
          update_config: { max_unavailable_percentage: 33 },
          node_repair_config: { enabled: true },
          lifecycle: { create_before_destroy: true, ignore_changes: ['scaling_config[0].desired_size'] },
        });
      }
    });

    it('gives the managed node role only the node policies', () => {
      const attachments = listOfType(json, 'aws_iam_role_policy_attachment').filter(
        (a) => a.role === ref(json, 'aws_iam_role', 'Eks_NodeRole', 'name'),
      );
      expect(attachments.map((a) => a.policy_arn)).toEqual([
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
        'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      ]);
    });

    it('pins every add-on version and enables network policy enforcement in the VPC CNI', () => {
      const addons = listOfType(json, 'aws_eks_addon');
      expect(Object.fromEntries(addons.map((a) => [a.addon_name, a.addon_version]))).toEqual({
        'vpc-cni': 'v1.21.1-eksbuild.7',
        coredns: 'v1.13.2-eksbuild.4',
        'kube-proxy': 'v1.35.3-eksbuild.2',
        'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
        'aws-ebs-csi-driver': 'v1.57.1-eksbuild.1',
      });
      const cni = addons.find((a) => a.addon_name === 'vpc-cni');
      expect(JSON.parse(cni?.configuration_values as string)).toEqual({ enableNetworkPolicy: 'true' });
    });

    it('creates vpc-cni, the pod identity agent and kube-proxy before the nodes, CoreDNS and EBS CSI after', () => {
      const addonRef = (fragment: string) => `aws_eks_addon.${idOf(json, 'aws_eks_addon', fragment)}`;
      const groupRefs = ['SystemNodeGroup', 'SpotNodeGroup'].map(
        (fragment) => `aws_eks_node_group.${idOf(json, 'aws_eks_node_group', fragment)}`,
      );
      for (const before of ['VpcCniAddon', 'PodIdentityAgentAddon', 'KubeProxyAddon']) {
        expect(byId(json, 'aws_eks_addon', before).depends_on).toBeUndefined();
        for (const group of listOfType(json, 'aws_eks_node_group')) {
          expect(group.depends_on).toContain(addonRef(before));
        }
      }
      for (const after of ['CoreDnsAddon', 'EbsCsiDriverAddon']) {
        expect(byId(json, 'aws_eks_addon', after).depends_on).toEqual(expect.arrayContaining(groupRefs));
      }
      expect(byId(json, 'aws_eks_addon', 'EbsCsiDriverAddon').depends_on).toContain(
        `aws_eks_pod_identity_association.${idOf(json, 'aws_eks_pod_identity_association', 'EbsCsiDriver')}`,
      );
    });

    it('tags the node security group, and only it, for the cluster and Karpenter discovery', () => {
      const groups = listOfType(json, 'aws_security_group');
      const owned = groups.filter((g) => (g.tags as Row)['kubernetes.io/cluster/wms-test-eks'] === 'owned');
      expect(owned).toEqual([byId(json, 'aws_security_group', 'NodeSecurityGroup')]);
      expect(owned[0].tags).toMatchObject({ 'karpenter.sh/discovery': 'wms-test-eks' });
      expect(groups.every((g) => g.ingress === undefined && g.egress === undefined)).toBe(true);
    });

    it('admits only the nodes to the control plane, and the control plane to the node ports it calls', () => {
      const clusterSg = ref(json, 'aws_security_group', 'ClusterSecurityGroup');
      const nodeSg = ref(json, 'aws_security_group', 'NodeSecurityGroup');
      const ingress = listOfType(json, 'aws_vpc_security_group_ingress_rule');
      const into = (sg: string) => ingress.filter((r) => r.security_group_id === sg);
      expect(
        into(clusterSg).map((r) => [r.ip_protocol, r.from_port, r.referenced_security_group_id]),
      ).toEqual([['tcp', 443, nodeSg]]);
      const fromCluster = into(nodeSg).filter((r) => r.referenced_security_group_id === clusterSg);
      expect(fromCluster.map((r) => r.from_port).sort((a, b) => Number(a) - Number(b))).toEqual([
        443, 4443, 6443, 8443, 9443, 10250, 10251,
      ]);
      const fromNodes = into(nodeSg).filter((r) => r.referenced_security_group_id === nodeSg);
      expect(fromNodes.map((r) => r.ip_protocol)).toEqual(['-1']);
      expect(ingress.some((r) => r.cidr_ipv4 !== undefined)).toBe(false);
    });

    it('lets nodes out only to HTTPS, and to DNS, PostgreSQL and each other inside the VPC', () => {
      const egress = listOfType(json, 'aws_vpc_security_group_egress_rule');
      expect(egress.map((r) => [r.ip_protocol, r.from_port ?? null, r.cidr_ipv4 ?? 'nodes']).sort()).toEqual(
        [
          ['-1', null, 'nodes'],
          ['tcp', 443, '0.0.0.0/0'],
          ['tcp', 53, '10.40.0.0/16'],
          ['udp', 53, '10.40.0.0/16'],
          ['tcp', 5432, '10.40.0.0/16'],
        ].sort(),
      );
      const toNodes = egress.find((r) => r.ip_protocol === '-1');
      expect(toNodes?.referenced_security_group_id).toBe(
        ref(json, 'aws_security_group', 'NodeSecurityGroup'),
      );
    });

    it('describes every security group and rule', () => {
      const types = [
        'aws_security_group',
        'aws_vpc_security_group_ingress_rule',
        'aws_vpc_security_group_egress_rule',
      ];
      const undescribed = types.flatMap((type) => listOfType(json, type)).filter((r) => !r.description);
      expect(undescribed).toEqual([]);
    });

    it('associates each workload role with its own namespace and service account', () => {
      const associations = resourcesOfType(json, 'aws_eks_pod_identity_association');
      const accounts = {
        ...WORKLOAD_SERVICE_ACCOUNTS,
        ...CLUSTER_SERVICES_IDENTITIES,
        ...MONITORING_IDENTITIES,
        api: API_ACCOUNT,
      };
      const identities: Record<keyof typeof accounts, string> = {
        loadBalancerController: 'LoadBalancerController',
        externalDns: 'ExternalDns',
        externalSecrets: 'ExternalSecrets',
        ebsCsiDriver: 'EbsCsiDriver',
        loki: 'Loki',
        tempo: 'Tempo',
        prometheus: 'Prometheus',
        grafana: 'Grafana',
        cloudwatchExporter: 'CloudwatchExporter',
        api: 'Api',
        karpenter: 'Karpenter_Controller',
      };
      expect(Object.keys(associations)).toHaveLength(11);
      for (const [workload, identity] of Object.entries(identities)) {
        const association = associations[idOf(json, 'aws_eks_pod_identity_association', `Eks_${identity}_`)];
        const expected = accounts[workload as keyof typeof identities];
        expect([association.namespace, association.service_account]).toEqual([
          expected.namespace,
          expected.serviceAccount,
        ]);
        const role = ref(json, 'aws_iam_role', `Eks_${identity}_Role`, 'arn');
        expect(association.role_arn).toBe(role);
        expect(output(json, workload)).toBe(role);
      }
    });

    it('lets the API connect to the database only as its own user and read only its own secrets', () => {
      expect(inlinePolicy(json, 'Api')).toEqual([
        {
          Sid: 'ReadTheSecrets',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: [secretArn('wms/test/api')],
        },
        {
          Sid: 'ConnectAsItsUser',
          Effect: 'Allow',
          Action: ['rds-db:connect'],
          Resource: `arn:aws:rds-db:eu-west-1:${ACCOUNT}:dbuser:cluster-ABCDEFGHIJKL/wms_api`,
        },
      ]);
    });

    it('lets External Secrets read only the listed secrets', () => {
      const statements = inlinePolicy(json, 'ExternalSecrets');
      expect(statements.map((s) => s.Resource)).toEqual([[secretArn('wms/test/db')]]);
    });

    it('lets external-dns change records only in the environment zone', () => {
      const [records, find] = inlinePolicy(json, 'ExternalDns');
      expect(records.Resource).toBe(WORKLOADS.hostedZoneArn);
      expect(asList(find.Action)).toEqual(['route53:ListHostedZones']);
    });

    it('lets Loki use only its bucket, without KMS', () => {
      const statements = inlinePolicy(json, 'Loki');
      expect(statements.flatMap((s) => asList(s.Resource))).toEqual([
        'arn:aws:s3:::wms-test-loki',
        'arn:aws:s3:::wms-test-loki/*',
      ]);
    });

    it('lets YACE, as monitoring/yace, only read CloudWatch metrics and find tagged resources', () => {
      expect(MONITORING_IDENTITIES.cloudwatchExporter).toEqual({
        namespace: 'monitoring',
        serviceAccount: 'yace',
      });
      expect(inlinePolicy(json, 'CloudwatchExporter')).toEqual([
        {
          Sid: 'ReadCloudWatchMetrics',
          Effect: 'Allow',
          Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics'],
          Resource: '*',
        },
        { Sid: 'FindTaggedResources', Effect: 'Allow', Action: ['tag:GetResources'], Resource: '*' },
      ]);
      const attachments = listOfType(json, 'aws_iam_role_policy_attachment').filter(
        (a) => a.role === ref(json, 'aws_iam_role', 'Eks_CloudwatchExporter_Role', 'name'),
      );
      expect(attachments).toEqual([]);
    });

    it('gives the EBS CSI driver the AWS managed policy and the use of the node-volume key', () => {
      const attachment = listOfType(json, 'aws_iam_role_policy_attachment').find(
        (a) => a.role === ref(json, 'aws_iam_role', 'Eks_EbsCsiDriver_Role', 'name'),
      );
      expect(attachment?.policy_arn).toBe('arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
      const resources = inlinePolicy(json, 'EbsCsiDriver').map((s) => s.Resource);
      expect(resources).toEqual([
        ref(json, 'aws_kms_key', 'Eks_Key', 'arn'),
        ref(json, 'aws_kms_key', 'Eks_Key', 'arn'),
      ]);
    });

    it("scopes the load balancer controller's tag conditions to this cluster", () => {
      const statements = inlinePolicy(json, 'LoadBalancerController');
      const tagConditions = statements.flatMap((s) =>
        Object.values(s.Condition ?? {}).flatMap((block) =>
          Object.entries(block).filter(([key]) => key.endsWith('/elbv2.k8s.aws/cluster')),
        ),
      );
      expect(tagConditions.length).toBeGreaterThan(0);
      expect(
        tagConditions.every(([key, value]) => value === 'wms-test-eks' || key.startsWith('aws:RequestTag')),
      ).toBe(true);
      const arns = statements.flatMap((s) => asList(s.Resource)).filter((r) => r !== '*');
      expect(arns.every((arn) => arn.includes(`:eu-west-1:${ACCOUNT}:`))).toBe(true);
    });

    it('grants no IAM principal every action, or a whole service on every resource', () => {
      const policies = [
        ...listOfType(json, 'aws_iam_role_policy').map((p) => p.policy),
        ...listOfType(json, 'aws_iam_role').map((r) => r.assume_role_policy),
      ];
      const broad = policies
        .flatMap(statementsOf)
        .filter((s) => s.Effect === 'Allow')
        .filter((s) =>
          asList(s.Action).some((a) => a === '*' || (a.endsWith(':*') && asList(s.Resource).includes('*'))),
        );
      expect(broad).toEqual([]);
    });

    it('exposes the cluster, its security groups, key and Karpenter settings to the Kubernetes stacks', () => {
      expect(output(json, 'clusterName')).toBe(ref(json, 'aws_eks_cluster', 'Eks_Cluster', 'name'));
      expect(output(json, 'clusterArn')).toBe(ref(json, 'aws_eks_cluster', 'Eks_Cluster', 'arn'));
      expect(output(json, 'endpoint')).toBe(ref(json, 'aws_eks_cluster', 'Eks_Cluster', 'endpoint'));
      expect(output(json, 'certificateAuthorityData')).toMatch(/certificate_authority\[0\]\.data\}$/);
      expect(output(json, 'oidcIssuerUrl')).toMatch(/identity\[0\]\.oidc\[0\]\.issuer\}$/);
      expect(output(json, 'nodeSecurityGroupId')).toBe(ref(json, 'aws_security_group', 'NodeSecurityGroup'));
      expect(output(json, 'clusterSecurityGroupId')).toBe(
        ref(json, 'aws_security_group', 'ClusterSecurityGroup'),
      );
      expect(output(json, 'kmsKeyArn')).toBe(ref(json, 'aws_kms_key', 'Eks_Key', 'arn'));
      expect(output(json, 'karpenterQueueName')).toBe(
        ref(json, 'aws_sqs_queue', 'InterruptionQueue', 'name'),
      );
      expect(output(json, 'karpenterNodeRoleName')).toBe(
        ref(json, 'aws_iam_role', 'Karpenter_NodeRole', 'name'),
      );
    });
  });

  describe('options', () => {
    it('GIVEN public access CIDRs THEN the public endpoint admits only them', () => {
      const { json } = build({ endpointPublicAccessCidrs: ['203.0.113.0/24'] });
      expect(one(json, 'aws_eks_cluster').vpc_config).toMatchObject({
        endpoint_private_access: true,
        endpoint_public_access: true,
        public_access_cidrs: ['203.0.113.0/24'],
      });
    });

    it('admits the public CIDRs it is given (the ban on 0.0.0.0/0 in production is a config invariant)', () => {
      const { json } = build({ endpointPublicAccessCidrs: ['0.0.0.0/0'] });
      expect(one(json, 'aws_eks_cluster').vpc_config).toMatchObject({ public_access_cidrs: ['0.0.0.0/0'] });
    });

    it('GIVEN deletionProtection false THEN the cluster can be destroyed', () => {
      const { json } = build({ deletionProtection: false });
      expect(one(json, 'aws_eks_cluster').lifecycle).toBeUndefined();
    });

    it('GIVEN importLogGroup THEN the log group left by the previous cluster is imported', () => {
      const { json } = build({ importLogGroup: true });
      expect(json.import).toEqual([
        {
          to: `aws_cloudwatch_log_group.${idOf(json, 'aws_cloudwatch_log_group', 'ControlPlaneLogGroup')}`,
          id: '/aws/eks/wms-test-eks/cluster',
        },
      ]);
    });

    it('GIVEN secret KMS keys THEN External Secrets and the API may decrypt with them through Secrets Manager only', () => {
      const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      const { json } = build({}, { secretsKmsKeyArns: [keyArn] });
      for (const identity of ['ExternalSecrets', 'Api']) {
        expect(inlinePolicy(json, identity)).toContainEqual({
          Sid: 'DecryptTheSecrets',
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: [keyArn],
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        });
      }
    });

    it('GIVEN a Loki bucket key THEN Loki may use it through S3 only', () => {
      const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/loki`;
      const { json } = build({}, { lokiBucketKeyArn: keyArn });
      expect(inlinePolicy(json, 'Loki')).toContainEqual(
        expect.objectContaining({
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        }),
      );
    });

    it('GIVEN secret ARNs known only at apply time THEN they are granted as references', () => {
      const stack = awsTestStack();
      const secret = new SecretsmanagerSecret(stack, 'DbSecret', { name: 'wms/test/db' });
      const eks = new EksCluster(stack, 'Eks', BASE);
      addWorkloadIdentities(eks, { ...WORKLOADS, externalSecretArns: [secret.arn] });
      const json = synthJson(stack);
      expect(inlinePolicy(json, 'ExternalSecrets')[0].Resource).toEqual([
        ref(json, 'aws_secretsmanager_secret', 'DbSecret', 'arn'),
      ]);
    });
  });

  describe('validation', () => {
    const addonVersions = (overrides: Partial<EksClusterProps['addonVersions']>) => ({
      addonVersions: { ...BASE.addonVersions, ...overrides },
    });
    const nodeGroups = (
      group: 'system' | 'spot',
      overrides: Partial<EksClusterProps['nodeGroups']['spot']>,
    ) => ({
      nodeGroups: { ...BASE.nodeGroups, [group]: { ...BASE.nodeGroups[group], ...overrides } },
    });

    it('names the construct path, the prop, the value and what is allowed', () => {
      expect(() => build({ kubernetesVersion: '1.33' })).toThrow(
        'test/Eks: kubernetesVersion: "1.33" is not allowed (one of 1.35, 1.36: in EKS standard support)',
      );
    });

    it.each(['vpcCni', 'coredns', 'kubeProxy', 'podIdentityAgent', 'ebsCsiDriver'])(
      'GIVEN no %s version THEN it throws',
      (addon) => {
        expect(() => build(addonVersions({ [addon]: '' }))).toThrow(
          new RegExp(
            `addonVersions\\.${addon}: "" is not allowed \\(an exact version like v1\\.2\\.3-eksbuild\\.1\\)`,
          ),
        );
      },
    );

    it.each<[string, Partial<EksClusterProps>, RegExp]>([
      ['a version out of standard support', { kubernetesVersion: '1.34' }, /kubernetesVersion: "1.34"/],
      ['"latest" for an add-on', addonVersions({ coredns: 'latest' }), /addonVersions.coredns: "latest"/],
      [
        'a kube-proxy of another minor version',
        addonVersions({ kubeProxy: 'v1.34.6-eksbuild.2' }),
        /addonVersions.kubeProxy: "v1.34.6-eksbuild.2" is not allowed \(v1.35.x-eksbuild.N/,
      ],
      [
        'a public access CIDR that is not one',
        { endpointPublicAccessCidrs: ['10.0.0.1/16'] },
        /endpointPublicAccessCidrs: \["10.0.0.1\/16"\] is not allowed \(IPv4 CIDRs/,
      ],
      [
        'the same role twice',
        { accessRoles: { ...BASE.accessRoles, deployRoleArn: roleArn('admin') } },
        /accessRoles: .* is not allowed \(three distinct IAM role ARNs\)/,
      ],
      [
        'a user instead of a role',
        { accessRoles: { ...BASE.accessRoles, readOnlyRoleArn: `arn:aws:iam::${ACCOUNT}:user/bob` } },
        /accessRoles: .*user\/bob/,
      ],
      [
        'a system group without nodes',
        nodeGroups('system', { minSize: 0, desiredSize: 0 }),
        /nodeGroups.system: {"minSize":0,"desiredSize":0,"maxSize":4} is not allowed \(whole numbers, 1 <= minSize/,
      ],
      [
        'min above desired',
        nodeGroups('spot', { minSize: 2, desiredSize: 1 }),
        /nodeGroups.spot: {"minSize":2/,
      ],
      ['desired above max', nodeGroups('spot', { desiredSize: 7 }), /nodeGroups.spot: .*"desiredSize":7/],
      ['a max of 0', nodeGroups('spot', { desiredSize: 0, maxSize: 0 }), /nodeGroups.spot: .*"maxSize":0/],
      ['a fractional size', nodeGroups('system', { maxSize: 4.5 }), /nodeGroups.system: .*"maxSize":4.5/],
      [
        'a Spot group with one instance type',
        nodeGroups('spot', { instanceTypes: ['m6i.large'] }),
        /nodeGroups.spot.instanceTypes: \["m6i.large"\] is not allowed \(at least 2 distinct instance types\)/,
      ],
      [
        'a repeated instance type',
        nodeGroups('spot', { instanceTypes: ['m6i.large', 'm6i.large'] }),
        /nodeGroups.spot.instanceTypes/,
      ],
      [
        'a system group without instance types',
        nodeGroups('system', { instanceTypes: [] }),
        /nodeGroups.system.instanceTypes: \[\]/,
      ],
      [
        'a retention CloudWatch rejects',
        { logRetentionDays: 42 as 30 },
        /logRetentionDays: 42 is not allowed \(one of 1, 3/,
      ],
    ])('GIVEN %s THEN it throws naming the prop', (_case, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
