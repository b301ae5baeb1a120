import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';

/** An IAM policy statement, as JSON. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Renders an IAM policy document. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * A key-policy statement letting CloudWatch Logs use the key for one log group only: the encryption context
 * CloudWatch Logs passes names the log group's ARN.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logGroupKeyStatement(
  sid: string,
  region: string,
  accountId: string,
  logGroupName: string,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}`,
      },
    },
  };
}

/** What a customer-managed key is for and who may use it besides the account. */
export interface CustomerKeyProps {
  /** Shown in the KMS console. */
  readonly description: string;
  /** The alias, without `alias/`, e.g. `wms-prod-database`. */
  readonly alias: string;
  /** The account that administers the key (through IAM policies of its principals). */
  readonly accountId: string;
  /** Statements granting AWS services the use of the key, appended to the account's. */
  readonly serviceStatements?: readonly PolicyStatement[];
  /**
   * The provider (region) to create the key with.
   * @default - the stack's default AWS provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * A customer-managed symmetric KMS key with yearly rotation, a 30-day deletion window and an alias. The key
 * policy delegates administration to the account's IAM policies (the AWS default) and adds the given service
 * statements, each of which should be conditioned to the resource it serves.
 */
export function customerKey(scope: Construct, id: string, props: CustomerKeyProps): KmsKey {
  const key = new KmsKey(scope, id, {
    provider: props.provider,
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: policyDocument([
      {
        Sid: 'AccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...(props.serviceStatements ?? []),
    ]),
  });
  new KmsAlias(scope, `${id}Alias`, {
    provider: props.provider,
    name: `alias/${props.alias}`,
    targetKeyId: key.keyId,
  });
  return key;
}
