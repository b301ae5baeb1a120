import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { Construct } from 'constructs';
import { PLAN_SECRET_READERS_GROUP } from '../../shared/eks';
import { propError } from './errors';

/** Properties of a {@link PlanSecretReader}. */
export interface PlanSecretReaderProps {
  /** The namespace of the Secrets. */
  readonly namespace: string;
  /** Names of the Secrets Terraform manages in that namespace (at least one). */
  readonly secretNames: readonly string[];
  /**
   * The Kubernetes group allowed to read them.
   * @default PLAN_SECRET_READERS_GROUP - the pull-request plan role's group (its EKS access entry)
   */
  readonly group?: string;
}

/**
 * Lets the plan role refresh the Secrets Terraform manages in one namespace, and only those: a Role with `get` on
 * them by name (`resourceNames`; no `list`, which RBAC cannot narrow) bound to the plan role's Kubernetes group.
 * Whoever creates a `kubernetes_secret_v1` adds its name here, or PR plans fail with "forbidden" on it.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
 */
export class PlanSecretReader extends Construct {
  /** The Role (escape hatch). */
  readonly role: RoleV1;

  constructor(scope: Construct, id: string, props: PlanSecretReaderProps) {
    super(scope, id);
    if (props.secretNames.length === 0) {
      throw propError(this, 'secretNames', props.secretNames, 'at least one Secret name');
    }
    const name = 'wms-plan-secret-reader';
    this.role = new RoleV1(this, 'Role', {
      metadata: { name, namespace: props.namespace },
      rule: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [...props.secretNames] },
      ],
    });
    new RoleBindingV1(this, 'Binding', {
      metadata: { name, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subject: [
        {
          kind: 'Group',
          name: props.group ?? PLAN_SECRET_READERS_GROUP,
          apiGroup: 'rbac.authorization.k8s.io',
        },
      ],
    });
  }
}
