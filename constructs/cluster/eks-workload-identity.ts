import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';
import { policyDocument } from '../shared/kms';

/** The cluster an identity belongs to. */
export interface EksClusterReference {
  /** Cluster name, literal. */
  readonly name: string;
  /** Cluster ARN, literal. */
  readonly arn: string;
  /** Account of the cluster. */
  readonly accountId: string;
  /** The cluster resource: associations and access entries are created after it. */
  readonly resource: ITerraformDependable;
}

/** Properties of an {@link EksWorkloadIdentity}. */
export interface EksWorkloadIdentityProps {
  /** The cluster whose pods get the role. */
  readonly cluster: EksClusterReference;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Kubernetes service account that gets the role. */
  readonly serviceAccount: string;
  /** Physical name of the IAM role. */
  readonly roleName: string;
  /** What the role is for, shown in IAM. */
  readonly description: string;
  /**
   * The role's inline policy.
   * @default - no inline policy (then `managedPolicyArns` must grant something)
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * AWS managed policies attached to the role.
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
}

/** What {@link IEksCluster.addWorkloadIdentity} needs: the cluster supplies itself, the role name and its suffix. */
export type EksWorkloadIdentityOptions = Omit<EksWorkloadIdentityProps, 'cluster' | 'roleName'>;

// Kubernetes name rules: a namespace is an RFC 1123 label, a service account an RFC 1123 subdomain.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * AWS credentials for one Kubernetes service account, through EKS Pod Identity: an IAM role with its
 * permissions, and the association that hands it to pods running as `namespace/serviceAccount`.
 *
 * The role trusts `pods.eks.amazonaws.com` only for sessions that Pod Identity tags with this cluster, namespace
 * and service account, so another association (or cluster) in the account cannot use it.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export class EksWorkloadIdentity extends Construct {
  /** ARN of the role. */
  readonly roleArn: string;
  /** The role (escape hatch). */
  readonly role: IamRole;
  /** The pod identity association. */
  readonly association: EksPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: EksWorkloadIdentityProps) {
    super(scope, id);
    const statements = props.statements ?? [];
    const managedPolicyArns = props.managedPolicyArns ?? [];
    if (!DNS_LABEL.test(props.namespace) || props.namespace.length > 63) {
      throw propError(this, 'namespace', props.namespace, 'a Kubernetes namespace name: an RFC 1123 label');
    }
    if (!DNS_SUBDOMAIN.test(props.serviceAccount) || props.serviceAccount.length > 253) {
      throw propError(
        this,
        'serviceAccount',
        props.serviceAccount,
        'a Kubernetes name: an RFC 1123 subdomain',
      );
    }
    if (statements.length === 0 && managedPolicyArns.length === 0) {
      throw propError(this, 'statements/managedPolicyArns', [], 'at least one statement or managed policy');
    }

    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyDocument([
        {
          Sid: 'EksPodIdentity',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            // Pod Identity's session tags; documented for exactly this scoping (see the class @see link).
            StringEquals: {
              'aws:SourceAccount': props.cluster.accountId,
              'aws:RequestTag/eks-cluster-arn': props.cluster.arn,
              'aws:RequestTag/kubernetes-namespace': props.namespace,
              'aws:RequestTag/kubernetes-service-account': props.serviceAccount,
            },
          },
        },
      ]),
    });
    if (statements.length > 0) {
      new IamRolePolicy(this, 'Policy', {
        name: 'least-privilege',
        role: this.role.id,
        policy: policyDocument(statements),
      });
    }
    managedPolicyArns.forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `ManagedPolicy${index}`, { role: this.role.name, policyArn });
    });
    this.association = new EksPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.name,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
      dependsOn: [props.cluster.resource],
    });
    this.roleArn = this.role.arn;
  }
}
