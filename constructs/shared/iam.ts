import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { Construct } from 'constructs';
import type { PolicyStatement } from './kms';
import { policyDocument } from './kms';

/** A role that one AWS service assumes on this account's behalf. */
export interface ServiceRoleProps {
  /** Physical name of the role. */
  readonly name: string;
  /** What the role is for. */
  readonly description: string;
  /** The service principal, e.g. `monitoring.rds.amazonaws.com`. */
  readonly service: string;
  /** Only this account's resources may pass the role to the service (confused-deputy guard). */
  readonly accountId: string;
  /**
   * ARN pattern of the resources that may use the role (`aws:SourceArn`).
   * @default - any resource of the account
   */
  readonly sourceArn?: string;
  /**
   * The role's own permissions, as one inline policy.
   * @default - none
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * AWS managed policies to attach.
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
}

/** Creates a service role: trusted by one service principal for this account only, with its permissions. */
export function serviceRole(scope: Construct, id: string, props: ServiceRoleProps): IamRole {
  const role = new IamRole(scope, id, {
    name: props.name,
    description: props.description,
    assumeRolePolicy: policyDocument([
      {
        Effect: 'Allow',
        Principal: { Service: props.service },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': props.accountId },
          ...(props.sourceArn ? { ArnLike: { 'aws:SourceArn': props.sourceArn } } : {}),
        },
      },
    ]),
  });
  if (props.statements && props.statements.length > 0) {
    new IamRolePolicy(scope, `${id}Policy`, {
      name: 'permissions',
      role: role.id,
      policy: policyDocument(props.statements),
    });
  }
  (props.managedPolicyArns ?? []).forEach((policyArn, index) => {
    new IamRolePolicyAttachment(scope, `${id}Managed${index}`, { role: role.name, policyArn });
  });
  return role;
}
