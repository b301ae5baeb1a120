import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStacks } from '../../guardrails/engine';
import { formatSynthFailure, formatText, rulesMarkdown } from '../../guardrails/format';
import { RULES } from '../../guardrails/rule-pack';

function report() {
  return checkStacks([
    {
      stackName: 'wms-prod-platform',
      json: {
        '//': { wms: { environment: 'prod', production: true } },
        resource: {
          aws_cloudwatch_log_group: {
            'network_flow-logs_ABC123': {
              '//': { metadata: { path: 'wms-prod-platform/network/flow-logs' } },
              retention_in_days: 365,
              tags: {
                Project: 'wms',
                Environment: 'prod',
                Owner: 'platform-team',
                CostCentre: 'CC-1042',
                ManagedBy: 'cdktf',
                Repository: 'acme/wms-platform',
              },
            },
          },
        },
      },
    },
    { stackName: 'foreign', json: { resource: {} } },
  ]);
}

describe('formatText', () => {
  it('prints stack, address and construct path, then rule, severity, message and fix', () => {
    expect(formatText(report())).toBe(
      [
        'wms-prod-platform  aws_cloudwatch_log_group.network_flow-logs_ABC123  (wms-prod-platform/network/flow-logs)',
        '  CKV_AWS_158 [high] log group is not encrypted: kms_key_id is missing',
        '  fix: set kms_key_id to a customer-managed KMS key ARN whose policy allows logs.<region>.amazonaws.com',
        '',
        'guardrails: FAILED: 1 finding (1 high), 0 suppressed, 0 stale suppressions in 2 stacks ' +
          '(wms-prod-platform: prod (production); foreign: no "//".wms metadata, production rules applied)',
        '',
      ].join('\n'),
    );
  });

  it('explains how to fix or suppress when a synth fails', () => {
    const message = formatSynthFailure(report());
    expect(message).toContain('CKV_AWS_158 [high] log group is not encrypted: kms_key_id is missing');
    expect(message).toContain(
      "suppress(resource, 'RULE_ID', 'why it does not apply here') from guardrails/suppress.ts",
    );
  });
});

describe('rulesMarkdown', () => {
  it('lists every rule with its severity, environments and resource types', () => {
    const table = rulesMarkdown();
    for (const rule of RULES) {
      const environments = rule.productionOnly ? 'production only' : 'all';
      expect(table).toContain(`| \`${rule.id}\` | ${rule.severity} | ${environments} |`);
    }
    expect(table).toContain('`aws_cloudwatch_log_group`');
    expect(table).toMatch(
      /every AWS resource type with `tags` and `tags_all` in hashicorp\/aws 5\.100\.0 \(747 types/,
    );
  });

  it('is what docs/guardrails.md shows (regenerate with npm run guardrails -- --rules-markdown)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'guardrails.md'), 'utf8');
    const generated = /<!-- rules:start -->\n([\s\S]*)<!-- rules:end -->/.exec(doc)?.[1];
    expect(generated?.trim()).toBe(rulesMarkdown().trim());
  });
});
