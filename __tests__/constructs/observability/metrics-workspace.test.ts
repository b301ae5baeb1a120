import { TerraformOutput, Testing } from 'cdktf';
import { MetricsWorkspace } from '../../../constructs/observability/metrics-workspace';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE = { namePrefix: 'wms-test', accountId: '123456789012' };

describe('MetricsWorkspace', () => {
  const stack = awsTestStack();
  const metrics = new MetricsWorkspace(stack, 'MetricsWorkspace', BASE);
  // The attributes as Terraform resolves them: read back from outputs.
  new TerraformOutput(stack, 'remote_write_url', { value: metrics.remoteWriteUrl });
  new TerraformOutput(stack, 'arn', { value: metrics.workspaceArn });
  new TerraformOutput(stack, 'write', { value: metrics.remoteWriteStatements() });
  new TerraformOutput(stack, 'query', { value: metrics.queryStatements() });
  const json = synthJson(stack);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- outputs are free-form
  const output = (name: string): any => (json as any).output[name].value;
  const workspace = listOfType(json, 'aws_prometheus_workspace');

  it('creates one workspace aliased as the environment, encrypted with its own rotated key', () => {
    expect(workspace).toEqual([
      expect.objectContaining({
        alias: 'wms-test',
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.MetricsWorkspace_Key_[A-F0-9]+\.arn\}$/),
      }),
    ]);
    expect(listOfType(json, 'aws_kms_key')).toEqual([expect.objectContaining({ enable_key_rotation: true })]);
    expect(listOfType(json, 'aws_kms_alias')).toEqual([
      expect.objectContaining({ name: 'alias/wms-test-metrics' }),
    ]);
  });

  it("keeps samples 400 days by default (year-on-year beyond Prometheus' own 35)", () => {
    expect(listOfType(json, 'aws_prometheus_workspace_configuration')).toEqual([
      expect.objectContaining({
        retention_period_in_days: 400,
        workspace_id: expect.stringMatching(
          /^\$\{aws_prometheus_workspace\.MetricsWorkspace_[A-F0-9]+\.id\}$/,
        ),
      }),
    ]);
  });

  it('writes to <prometheus_endpoint>api/v1/remote_write', () => {
    expect(output('remote_write_url')).toMatch(
      /^\$\{aws_prometheus_workspace\.MetricsWorkspace_[A-F0-9]+\.prometheus_endpoint\}api\/v1\/remote_write$/,
    );
  });

  it('grants remote write and queries on this workspace only, never on *', () => {
    const arn = output('arn');
    expect(arn).toMatch(/aws_prometheus_workspace\..*\.arn/);
    expect(output('write')).toEqual([
      { Sid: 'RemoteWrite', Effect: 'Allow', Action: ['aps:RemoteWrite'], Resource: arn },
    ]);
    const query = output('query');
    expect(query).toEqual([
      {
        Sid: 'QueryMetrics',
        Effect: 'Allow',
        Action: ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'],
        Resource: arn,
      },
    ]);
    expect(query[0].Action).not.toContain('aps:RemoteWrite');
  });

  it('GIVEN retentionPeriodInDays 30 THEN the workspace keeps 30 days', () => {
    const other = awsTestStack();
    new MetricsWorkspace(other, 'MetricsWorkspace', { ...BASE, retentionPeriodInDays: 30 });
    expect(listOfType(synthJson(other), 'aws_prometheus_workspace_configuration')).toEqual([
      expect.objectContaining({ retention_period_in_days: 30 }),
    ]);
  });

  it.each([0, 1096, 1.5])(
    'GIVEN retentionPeriodInDays %p THEN fails naming the prop, value and range',
    (days) => {
      const other = awsTestStack();
      expect(
        () => new MetricsWorkspace(other, 'MetricsWorkspace', { ...BASE, retentionPeriodInDays: days }),
      ).toThrow(
        new RegExp(
          `MetricsWorkspace: retentionPeriodInDays: ${days} is not allowed \\(a whole number of days, 1-1095\\)`,
        ),
      );
      expect(Testing.synth(other)).not.toContain('aws_prometheus_workspace');
    },
  );
});
