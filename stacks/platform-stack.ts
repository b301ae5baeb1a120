import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { subnetPrefixLengths } from '../config/environment';
import { Network } from '../constructs/network';
import { physicalName } from '../constructs/private/naming';
import type { EnvironmentStackProps } from './environment-stack';
import { defaultTags, EnvironmentStack } from './environment-stack';

/**
 * `wms-<env>-platform`: the environment's AWS resources (network, database, EKS). AWS provider only, and no
 * data source that calls AWS at plan time, so it plans offline with placeholder credentials.
 */
export class PlatformStack extends EnvironmentStack {
  /** The VPC and its subnets. */
  readonly network: Network;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    const { config } = props;
    new AwsProvider(this, 'Aws', {
      region: config.region,
      allowedAccountIds: [config.awsAccountId],
      defaultTags: [{ tags: defaultTags(config) }],
    });

    this.network = new Network(this, 'Network', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      clusterName: physicalName(this.namePrefix, 'eks'),
      subnetPrefixLengths: subnetPrefixLengths(config.network),
      natGateways: config.network.natGateways,
      interfaceEndpoints: config.network.interfaceEndpoints,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    });

    new TerraformOutput(this, 'VpcId', { value: this.network.vpcId, description: 'VPC id' });
    new TerraformOutput(this, 'PrivateSubnetIds', {
      value: this.network.privateSubnetIds,
      description: 'Private subnet ids, one per AZ',
    });
  }
}
