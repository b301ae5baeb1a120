import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import type { TerraformStack } from 'cdktf';
import type { EksWorkloadIdentityProps } from '../../../constructs/cluster/eks-workload-identity';
import { EksWorkloadIdentity } from '../../../constructs/cluster/eks-workload-identity';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/wms-test-eks';
const READ_BUCKET = { Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' };

/** A cluster resource for the identity to follow. */
function clusterReference(stack: TerraformStack) {
  const resource = new EksClusterResource(stack, 'Cluster', {
    name: 'wms-test-eks',
    roleArn: 'arn:aws:iam::123456789012:role/cluster',
    vpcConfig: { subnetIds: ['subnet-a'] },
  });
  return { name: 'wms-test-eks', arn: CLUSTER_ARN, accountId: '123456789012', resource };
}

function build(overrides: Partial<EksWorkloadIdentityProps> = {}) {
  const stack = awsTestStack();
  const identity = new EksWorkloadIdentity(stack, 'Identity', {
    cluster: clusterReference(stack),
    namespace: 'logging',
    serviceAccount: 'loki',
    roleName: 'wms-test-eks-loki',
    description: 'Loki',
    statements: [READ_BUCKET],
    ...overrides,
  });
  return { identity, json: synthJson(stack) };
}

describe('EksWorkloadIdentity', () => {
  describe('defaults', () => {
    const { json } = build();
    const [role] = listOfType(json, 'aws_iam_role');

    it('trusts Pod Identity only for this cluster, namespace and service account in this account', () => {
      expect(role.name).toBe('wms-test-eks-loki');
      expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
        {
          Sid: 'EksPodIdentity',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '123456789012',
              'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
              'aws:RequestTag/kubernetes-namespace': 'logging',
              'aws:RequestTag/kubernetes-service-account': 'loki',
            },
          },
        },
      ]);
    });

    it('puts the statements in one inline policy and attaches no managed policy', () => {
      const policies = listOfType(json, 'aws_iam_role_policy');
      expect(policies).toHaveLength(1);
      expect(JSON.parse(policies[0].policy as string).Statement).toEqual([READ_BUCKET]);
      expect(listOfType(json, 'aws_iam_role_policy_attachment')).toEqual([]);
    });

    it('associates the role with the service account once the cluster exists', () => {
      const [roleId] = Object.keys(resourcesOfType(json, 'aws_iam_role'));
      const [clusterId] = Object.keys(resourcesOfType(json, 'aws_eks_cluster'));
      expect(listOfType(json, 'aws_eks_pod_identity_association')).toEqual([
        {
          cluster_name: 'wms-test-eks',
          namespace: 'logging',
          service_account: 'loki',
          role_arn: `\${aws_iam_role.${roleId}.arn}`,
          depends_on: [`aws_eks_cluster.${clusterId}`],
        },
      ]);
    });
  });

  describe('options', () => {
    it('GIVEN only managed policies THEN they are attached and there is no inline policy', () => {
      const { json } = build({ statements: undefined, managedPolicyArns: ['arn:aws:iam::aws:policy/A'] });
      expect(listOfType(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toEqual([
        'arn:aws:iam::aws:policy/A',
      ]);
      expect(listOfType(json, 'aws_iam_role_policy')).toEqual([]);
    });
  });

  describe('validation', () => {
    it.each<[Partial<EksWorkloadIdentityProps>, RegExp]>([
      [
        { namespace: 'Logging' },
        /test\/Identity: namespace: "Logging" is not allowed \(a Kubernetes namespace/,
      ],
      [{ namespace: 'a'.repeat(64) }, /namespace: "a{64}" is not allowed/],
      [{ serviceAccount: 'loki_sa' }, /serviceAccount: "loki_sa" is not allowed \(a Kubernetes name/],
      [{ statements: [] }, /statements\/managedPolicyArns: \[\] is not allowed \(at least one statement/],
    ])('GIVEN %j THEN it throws naming the prop', (overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
