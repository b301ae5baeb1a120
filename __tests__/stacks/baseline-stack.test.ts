import { listOfType, stableForSnapshot, synthesizedAppStacks } from '../support/synth';
import { baselineStackName } from '../../stacks/baseline-stack';
import { PLAN_SECRET_NAMESPACES } from '../../stacks/platform-stack';

const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };

describe.each(Object.entries(ACCOUNTS))('BaselineStack of the %s account', (environment, accountId) => {
  const json = synthesizedAppStacks()[baselineStackName(accountId)];

  it('exists once per account, next to its bootstrap stack', () => {
    expect(json).toBeDefined();
    expect(Object.keys(synthesizedAppStacks())).toContain(`wms-bootstrap-${accountId}`);
  });

  it('matches the reviewed snapshot', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('records the account, not an environment, so CI does not plan it with an environment role', () => {
    expect((json['//'] as { wms: { environment: string; production: boolean } }).wms).toEqual({
      environment: `account-${accountId}`,
      production: environment === 'prod',
      // Where whoever applies it reads the PagerDuty URL from (the prod account pages).
      ...(environment === 'prod'
        ? {
            ssmVariables: {
              pagerduty_cloudwatch_url: {
                parameter: '/wms/prod/alerting/pagerduty-cloudwatch-url',
                region: 'eu-west-1',
              },
            },
          }
        : {}),
    });
  });

  it("keeps its state in the account's state bucket under its own key", () => {
    const backend = (json.terraform as { backend: { s3: Record<string, unknown> } }).backend.s3;
    expect(backend).toEqual(
      expect.objectContaining({
        bucket: `wms-tfstate-${accountId}-eu-west-1`,
        key: `wms-baseline-${accountId}/terraform.tfstate`,
        use_lockfile: true,
      }),
    );
  });

  it('notifies a topic that has subscribers: the CIS alarms and the findings rules all point at it', () => {
    const [topic] = Object.keys(json.resource?.aws_sns_topic ?? {});
    const subscribers = [
      ...listOfType(json, 'aws_sns_topic_subscription'),
      ...listOfType(json, 'aws_chatbot_slack_channel_configuration'),
    ];
    expect(subscribers.length).toBeGreaterThan(0);
    for (const alarm of listOfType(json, 'aws_cloudwatch_metric_alarm')) {
      expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topic}.arn}`]);
    }
    for (const target of listOfType(json, 'aws_cloudwatch_event_target')) {
      expect(target.arn).toBe(`\${aws_sns_topic.${topic}.arn}`);
    }
  });

  it('locks the trail in COMPLIANCE mode except where config opts out (dev: GOVERNANCE)', () => {
    const [lock] = listOfType(json, 'aws_s3_bucket_object_lock_configuration');
    expect((lock.rule as { default_retention: { mode: string } }).default_retention.mode).toBe(
      environment === 'dev' ? 'GOVERNANCE' : 'COMPLIANCE',
    );
  });
});

it('pages from the prod account only (its baseline topic reads the PagerDuty URL variable)', () => {
  const stacks = synthesizedAppStacks();
  expect(stacks[baselineStackName(ACCOUNTS.prod)].variable).toHaveProperty('pagerduty_cloudwatch_url');
  expect(stacks[baselineStackName(ACCOUNTS.dev)].variable).toBeUndefined();
});

describe('the plan role reads Secrets only where a plan must (issue 17)', () => {
  it.each(['dev', 'staging', 'prod'])(
    '%s: PLAN_SECRET_NAMESPACES is exactly where the stacks keep Helm releases and Terraform-managed Secrets',
    (environment) => {
      const stacks = synthesizedAppStacks();
      const namespaces = new Set<string>();
      for (const [name, json] of Object.entries(stacks)) {
        if (!name.startsWith(`wms-${environment}-`)) continue;
        for (const release of listOfType(json, 'helm_release')) namespaces.add(release.namespace as string);
        for (const secret of listOfType(json, 'kubernetes_secret_v1')) {
          namespaces.add((secret.metadata as { namespace: string }).namespace);
        }
      }
      expect([...namespaces].sort()).toEqual([...PLAN_SECRET_NAMESPACES]);
      const platform = stacks[`wms-${environment}-platform`];
      const scoped = listOfType(platform, 'aws_eks_access_policy_association').filter((p) =>
        String(p.policy_arn).endsWith('AmazonEKSAdminViewPolicy'),
      );
      expect(scoped).toEqual([
        expect.objectContaining({
          principal_arn: expect.stringMatching(/github-plan$/),
          access_scope: { type: 'namespace', namespaces: [...PLAN_SECRET_NAMESPACES] },
        }),
      ]);
    },
  );
});
