import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutdir } from '../../guardrails/load';
import { suppress } from '../../guardrails/suppress';

const outdirs: string[] = [];
afterEach(() => outdirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Synthesizes the stack as `cdktf synth` does (metadata included) and returns the output folder. */
function fullSynth(stack: TerraformStack): string {
  const outdir = Testing.fullSynth(stack);
  outdirs.push(outdir);
  return outdir;
}

const TAGS = {
  Project: 'wms',
  Environment: 'dev',
  Owner: 'platform-team',
  CostCentre: 'CC-1042',
  ManagedBy: 'cdktf',
  Repository: 'acme/wms-platform',
};

function logGroup(): { stack: TerraformStack; group: CloudwatchLogGroup } {
  const stack = new TerraformStack(Testing.app(), 'wms-dev-platform');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: TAGS }] });
  const group = new CloudwatchLogGroup(new Construct(stack, 'network'), 'flow-logs', {
    name: 'flow',
    retentionInDays: 30,
  });
  return { stack, group };
}

function synthesizedGroup(stack: TerraformStack): Record<string, unknown> {
  const file = join(fullSynth(stack), 'stacks', stack.node.id, 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  return Object.values(json.resource.aws_cloudwatch_log_group)[0];
}

describe('suppress', () => {
  it('records the suppression beside cdktf metadata in the synthesized resource', () => {
    // GIVEN a log group
    const { stack, group } = logGroup();

    // WHEN a rule is suppressed
    suppress(group, 'CKV_AWS_158', '  flow logs of the dev sandbox hold no customer data  ');

    // THEN "//" holds cdktf's metadata and the trimmed suppression
    expect(synthesizedGroup(stack)['//']).toEqual({
      metadata: {
        path: 'wms-dev-platform/network/flow-logs',
        uniqueId: expect.stringMatching(/^network_flow-logs_/),
      },
      suppressions: [{ id: 'CKV_AWS_158', reason: 'flow logs of the dev sandbox hold no customer data' }],
    });
  });

  it('accumulates repeated calls', () => {
    const { stack, group } = logGroup();
    suppress(group, 'CKV_AWS_158', 'flow logs of the dev sandbox hold no customer data');
    suppress(group, 'CKV_AWS_338', 'the sandbox is torn down every night');
    expect((synthesizedGroup(stack)['//'] as { suppressions: unknown }).suppressions).toEqual([
      { id: 'CKV_AWS_158', reason: 'flow logs of the dev sandbox hold no customer data' },
      { id: 'CKV_AWS_338', reason: 'the sandbox is torn down every night' },
    ]);
  });

  it('rejects a reason shorter than 10 characters, naming the construct path, rule id and reason', () => {
    const { group } = logGroup();
    expect(() => suppress(group, 'CKV_AWS_158', ' too short ')).toThrow(
      'wms-dev-platform/network/flow-logs: suppression of CKV_AWS_158 needs a reason of at least 10 characters saying why the rule does not apply, got " too short "',
    );
  });

  it('rejects an unknown rule id', () => {
    const { group } = logGroup();
    expect(() => suppress(group, 'CKV_AWS_9999', 'a perfectly long reason')).toThrow(
      /^wms-dev-platform\/network\/flow-logs: cannot suppress "CKV_AWS_9999" \(reason: "a perfectly long reason"\): it is not a guardrails rule id/,
    );
  });

  it('rejects suppressing the same rule twice on a resource', () => {
    const { group } = logGroup();
    suppress(group, 'CKV_AWS_158', 'flow logs of the dev sandbox hold no customer data');
    expect(() => suppress(group, 'CKV_AWS_158', 'another reason entirely')).toThrow(
      /CKV_AWS_158 is already suppressed/,
    );
  });

  it('silences the finding in the engine, and a suppression that matches nothing is stale', () => {
    // GIVEN an unencrypted log group that suppresses the encryption rule and the (passing) retention rule
    const { stack, group } = logGroup();
    stack.addOverride('//.wms', { environment: 'dev', production: false });
    suppress(group, 'CKV_AWS_158', 'flow logs of the dev sandbox hold no customer data');
    suppress(group, 'CKV_AWS_338', 'retention is handled by a subscription filter');

    // WHEN the synthesized output folder is checked
    const [result] = checkOutdir(fullSynth(stack)).stacks;

    // THEN the encryption finding is suppressed and the retention suppression is stale
    expect(result.suppressed.map((entry) => [entry.ruleId, entry.constructPath, entry.reason])).toEqual([
      [
        'CKV_AWS_158',
        'wms-dev-platform/network/flow-logs',
        'flow logs of the dev sandbox hold no customer data',
      ],
    ]);
    expect(result.stale.map((entry) => [entry.ruleId, entry.problem])).toEqual([
      ['CKV_AWS_338', 'CKV_AWS_338 reports nothing on this resource any more; remove the suppression'],
    ]);
    expect(result.findings).toEqual([]);
    expect(result.environment).toEqual({ name: 'dev', production: false, assumed: false });
  });
});
