import { synthesizedAppStacks } from '../support/app';
import { listOfType, stableForSnapshot } from '../support/synth';
import { baselineStackName } from '../../stacks/baseline-stack';
import { HELM_STORAGE_DRIVER, PLAN_SECRET_READERS_GROUP } from '../../shared/eks';

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

describe('the plan role reads no Secret beyond those Terraform manages, by name (issue 17)', () => {
  type Row = Record<string, unknown>;
  const only = <T>(rows: T[]): T => {
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  it.each(['dev', 'staging', 'prod'])(
    '%s: view policy only, release records in ConfigMaps, and get by name on each Terraform-managed Secret',
    (environment) => {
      const stacks = Object.entries(synthesizedAppStacks()).filter(([name]) =>
        name.startsWith(`wms-${environment}-`),
      );
      const platform = synthesizedAppStacks()[`wms-${environment}-platform`];
      const plan = (row: Row) => /github-plan$/.test(String(row.principal_arn));
      expect(
        listOfType(platform, 'aws_eks_access_policy_association')
          .filter(plan)
          .map((row) => [String(row.policy_arn).split('/').pop(), row.access_scope]),
      ).toEqual([['AmazonEKSViewPolicy', { type: 'cluster' }]]);
      expect(only(listOfType(platform, 'aws_eks_access_entry').filter(plan)).kubernetes_groups).toEqual([
        PLAN_SECRET_READERS_GROUP,
      ]);

      // Every helm provider keeps release records in ConfigMaps: no Helm plan reads a Secret.
      const helmProviders = stacks.flatMap(
        ([, json]) => ((json.provider as Row | undefined)?.helm as Row[]) ?? [],
      );
      expect(helmProviders.length).toBeGreaterThan(0);
      for (const provider of helmProviders) expect(provider.helm_driver).toBe(HELM_STORAGE_DRIVER);

      // The group may get exactly the Secrets Terraform manages, by name, and nothing else.
      const managed: string[] = [];
      const readable: string[] = [];
      for (const [, json] of stacks) {
        for (const secret of listOfType(json, 'kubernetes_secret_v1')) {
          const { namespace, name } = secret.metadata as { namespace: string; name: string };
          managed.push(`${namespace}/${name}`);
        }
        const roles = listOfType(json, 'kubernetes_role_v1');
        for (const binding of listOfType(json, 'kubernetes_role_binding_v1')) {
          const subjects = binding.subject as Row[];
          if (!subjects.some((subject) => subject.name === PLAN_SECRET_READERS_GROUP)) continue;
          const { namespace } = binding.metadata as { namespace: string };
          const ref = binding.role_ref as { name: string };
          const role = only(
            roles.filter((r) => {
              const metadata = r.metadata as { namespace: string; name: string };
              return metadata.namespace === namespace && metadata.name === ref.name;
            }),
          );
          for (const rule of role.rule as Row[]) {
            expect([rule.api_groups, rule.resources, rule.verbs]).toEqual([[''], ['secrets'], ['get']]);
            for (const name of rule.resource_names as string[]) readable.push(`${namespace}/${name}`);
          }
        }
      }
      expect(managed.length).toBeGreaterThan(0);
      expect(readable.sort()).toEqual(managed.sort());
    },
  );
});
