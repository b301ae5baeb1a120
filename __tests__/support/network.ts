import type { INetwork } from '../../constructs/network/network';

/** A network with literal ids across the given number of eu-west-1 AZs, for constructs that only need INetwork. */
export function fakeNetwork(azCount = 3): INetwork {
  const azs = ['a', 'b', 'c', 'd'].slice(0, azCount);
  return {
    vpcId: 'vpc-0123',
    vpcCidr: '10.40.0.0/16',
    availabilityZones: azs.map((az) => `eu-west-1${az}`),
    publicSubnetIds: azs.map((az) => `subnet-public-${az}`),
    privateSubnetIds: azs.map((az) => `subnet-private-${az}`),
    databaseSubnetIds: azs.map((az) => `subnet-database-${az}`),
    publicSubnetCidrs: azs.map((_, index) => `10.40.${128 + index}.0/24`),
    privateSubnetCidrs: azs.map((_, index) => `10.40.${index * 32}.0/19`),
    databaseSubnetCidrs: azs.map((_, index) => `10.40.${132 + index}.0/24`),
    privateRouteTableIds: azs.map((az) => `rtb-private-${az}`),
  };
}
