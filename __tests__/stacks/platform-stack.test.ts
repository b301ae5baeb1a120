import { Testing } from 'cdktf';
import { PlatformStack } from '../../stacks/platform-stack';
import { committedEnvironment } from '../support/environments';
import { listOfType } from '../support/synth';
import type { SynthesizedStack } from '../support/synth';

function synthPlatform(environment: string, backend?: 's3' | 'local'): SynthesizedStack {
  const config = committedEnvironment(environment);
  const stack = new PlatformStack(Testing.app(), `wms-${environment}-platform`, { config, backend });
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

const tier = (resource: Record<string, unknown>) => (resource.tags as Record<string, string>)['wms:tier'];

describe.each(['dev', 'staging', 'prod'])('PlatformStack %s', (environment) => {
  const json = synthPlatform(environment);

  it('matches the reviewed snapshot (terraform block removed: it carries tool versions)', () => {
    const { terraform: _volatile, ...stable } = json;
    expect(stable).toMatchSnapshot();
  });

  it('holds AWS resources only, so it plans offline', () => {
    const types = Object.keys(json.resource ?? {});
    expect(types.filter((type) => !type.startsWith('aws_'))).toEqual([]);
    expect(Object.keys(json.provider as object)).toEqual(['aws']);
    expect(json.data).toBeUndefined();
  });

  it('keeps state in the environment bucket, one key per stack, with native S3 locking', () => {
    const config = committedEnvironment(environment);
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      s3: {
        bucket: config.state.bucket,
        key: `wms-${environment}-platform/terraform.tfstate`,
        region: config.state.region,
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it('tags every resource through default_tags and pins the account', () => {
    const config = committedEnvironment(environment);
    const [aws] = (json.provider as { aws: Record<string, unknown>[] }).aws;
    expect(aws.allowed_account_ids).toEqual([config.awsAccountId]);
    expect(aws.default_tags).toEqual([
      {
        tags: {
          Project: 'wms',
          Environment: environment,
          Owner: config.tags.owner,
          CostCentre: config.tags.costCentre,
          ManagedBy: 'cdktf',
          Repository: 'acme/wms-platform',
        },
      },
    ]);
  });

  it('gives database subnets no route to the internet', () => {
    const databaseSubnets = new Set(
      Object.entries(json.resource?.aws_subnet ?? {})
        .filter(([, subnet]) => tier(subnet) === 'database')
        .map(([id]) => `\${aws_subnet.${id}.id}`),
    );
    const tables = listOfType(json, 'aws_route_table_association')
      .filter((a) => databaseSubnets.has(a.subnet_id as string))
      .map((a) => a.route_table_id);
    expect(tables.length).toBe(databaseSubnets.size);
    const routesFromThoseTables = listOfType(json, 'aws_route').filter((r) =>
      tables.includes(r.route_table_id),
    );
    expect(routesFromThoseTables).toEqual([]);
  });
});

describe('environment invariants', () => {
  it('prod spans 3 AZs with a NAT gateway in each', () => {
    const json = synthPlatform('prod');
    const azs = new Set(listOfType(json, 'aws_subnet').map((s) => s.availability_zone));
    expect(azs.size).toBe(3);
    expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(3);
  });

  it('dev runs the explicit cheap options: 2 AZs, one NAT gateway, no interface endpoints', () => {
    const json = synthPlatform('dev');
    expect(new Set(listOfType(json, 'aws_subnet').map((s) => s.availability_zone)).size).toBe(2);
    expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(listOfType(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface')).toEqual(
      [],
    );
  });

  it('records the environment for the guardrails in the stack metadata', () => {
    const config = committedEnvironment('prod');
    const app = Testing.app();
    const stack = new PlatformStack(app, 'wms-prod-platform', { config });
    expect(stack.toTerraform()['//'].wms).toEqual({ environment: 'prod', production: true });
  });

  it('GIVEN the local backend THEN state goes to terraform-state/ relative to the stack folder', () => {
    const json = synthPlatform('dev', 'local');
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      local: { path: '../../../terraform-state/wms-dev-platform.tfstate' },
    });
  });
});
