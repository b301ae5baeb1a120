import type { JsonObject } from '../../model/values';
import {
  exactNotes,
  formatMarkdown,
  formatText,
  MAX_MARKDOWN_LENGTH,
  stackSummaryLine,
  summaryLine,
  toJsonReport,
} from '../../diff/format';
import type { DiffReport, StackDiff } from '../../diff/model';
import { buildReport } from '../../diff/report';
import { APP, editable, fixture, PLATFORM, policy } from './fixtures/trees';

const report = (): DiffReport => buildReport(fixture('base'), fixture('after'));

describe('summaryLine', () => {
  it('GIVEN identical trees THEN "no changes"', () => {
    expect(summaryLine(buildReport(fixture('base'), fixture('noop')))).toBe(
      'wms diff: no changes (3 stacks compared)',
    );
  });

  it('GIVEN the fixture pull request THEN the totals of risks, stacks and resources', () => {
    expect(summaryLine(report())).toBe(
      'wms diff: 25 risky changes (7 critical, 15 high, 3 medium); ' +
        'stacks: 2 changed, 1 added, 1 removed, 0 unchanged; ' +
        'resources: 2 to add, 21 to change (5 replaced), 2 to destroy',
    );
  });
});

describe('formatText', () => {
  it('GIVEN no changes THEN two lines', () => {
    expect(formatText(buildReport(fixture('base'), fixture('noop')))).toBe(
      'wms diff: no changes (3 stacks compared)\ncompared: base -> noop\n',
    );
  });

  it('GIVEN changes THEN risky changes come first, then every changed stack with its attribute diffs', () => {
    const text = formatText(report());
    expect(text.indexOf('Risky changes')).toBeLessThan(text.indexOf('Changes\n'));
    expect(text).toContain(
      [
        '[critical] network-widened  wms-test-platform  aws_vpc_security_group_ingress_rule.Database_FromVpc_ABFC2838  (wms-test-platform/Database/FromVpc)',
        '  ingress widened: tcp 5432 from 0.0.0.0/0 (on aws_security_group.Database_SecurityGroup_71981D66)',
        '  before: tcp 5432 from 10.0.0.0/16',
        '  after:  tcp 5432 from 0.0.0.0/0',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '  -/+ aws_s3_bucket.Logs_Bucket_3640F0F5  (wms-test-platform/Logs/Bucket)',
        '      replaced: bucket forces a new resource',
        '      bucket: "wms-test-logs-111111111111" -> "wms-test-logs-v2-111111111111"  [forces replacement]',
      ].join('\n'),
    );
    expect(text).toContain(
      'wms-test-extra (stack added, 1 resource)\n  + aws_sns_topic.Alarms_Topic_FB8030DD',
    );
    expect(text).toContain(
      'wms-test-legacy (stack removed, 1 resource)\n  - aws_s3_bucket.Archive_Bucket_0F1E2D3C',
    );
    expect(text).toContain(
      '  ~ aws_vpc.Network_Vpc_1A2B3C4D  (wms-test-platform/Network/Vpc)\n      tags.Team: "platform" -> "infrastructure"',
    );
  });

  it('GIVEN a policy change THEN the statements added and removed are listed', () => {
    expect(formatText(report())).toContain(
      [
        '      policy: policy statements: 1 added, 0 removed',
        '        + {"Action":"s3:*","Effect":"Allow","Resource":"*","Sid":"Everything"}',
      ].join('\n'),
    );
  });
});

describe('formatMarkdown', () => {
  it('GIVEN no changes THEN a header line and what was compared', () => {
    expect(formatMarkdown(buildReport(fixture('base'), fixture('noop')))).toBe(
      '### wms diff: no changes (3 stacks compared)\n\nCompared `base` → `noop`.\n',
    );
  });

  it('GIVEN changes THEN a totals header, the risky-changes table first, then one collapsed section per changed stack', () => {
    const markdown = formatMarkdown(report());
    const lines = markdown.split('\n');
    expect(lines[0]).toBe(`### ${summaryLine(report())}`);
    const stateful = lines.indexOf('#### Stateful replacements and deletions');
    const risky = lines.indexOf('#### Other risky changes');
    expect(stateful).toBeGreaterThan(0);
    expect(risky).toBeGreaterThan(stateful);
    expect(lines[stateful + 4]).toMatch(/^\| \*\*critical\*\* \| stateful-identity \|/);
    const table = risky + 2;
    expect(lines[table]).toBe('| Severity | Category | Stack | Resource | What changed | Before | After |');
    expect(lines[table + 2]).toBe(
      '| **high** | public-exposure | `wms-test-app` | `kubernetes_ingress_v1.Api_Ingress_F1EDDEA5`<br>`wms-test-app/Api/Ingress` | Ingress made internet-facing | `internal` | `internet-facing` |',
    );
    const summaries = lines.filter((line) => line.startsWith('<details>'));
    expect(summaries).toEqual([
      '<details><summary><code>wms-test-app</code>: 5 changed (1 replaced)</summary>',
      '<details><summary><code>wms-test-extra</code>: stack added, 1 resource</summary>',
      '<details><summary><code>wms-test-legacy</code>: stack removed, 1 resource</summary>',
      '<details><summary><code>wms-test-platform</code>: 1 added, 1 removed, 16 changed (4 replaced)</summary>',
    ]);
    expect(lines.findIndex((line) => line.startsWith('<details>'))).toBeGreaterThan(table);
    expect(lines.filter((line) => line === '</details>')).toHaveLength(4);
    expect(markdown).toContain(
      '- **-/+** `aws_s3_bucket.Logs_Bucket_3640F0F5` (`wms-test-platform/Logs/Bucket`) — replaced: bucket forces a new resource\n' +
        '  - `bucket`: `"wms-test-logs-111111111111"` → `"wms-test-logs-v2-111111111111"` **(forces replacement)**',
    );
  });

  it('GIVEN a policy change THEN its statements are shown in a diff block', () => {
    expect(formatMarkdown(report())).toContain(
      [
        '  - `policy`: policy statements: 1 added, 0 removed',
        '    ```diff',
        '    + {"Action":"s3:*","Effect":"Allow","Resource":"*","Sid":"Everything"}',
        '    ```',
      ].join('\n'),
    );
  });

  it('GIVEN a long value and a pipe THEN the value is cut at 200 characters and the pipe escaped', () => {
    const edit = editable();
    const data = edit.resources(APP).kubernetes_config_map_v1.Api_Config_1B2C3D4E.data as JsonObject;
    data.LOG_LEVEL = `a|b${'x'.repeat(500)}`;
    const markdown = formatMarkdown(buildReport(edit.base, edit.after));
    const line = markdown.split('\n').find((l) => l.includes('`data.LOG_LEVEL`')) as string;
    expect(line).toContain('`"a\\|bxxx');
    const value = line.split(' → ')[1];
    expect(value.replace(/\\\|/g, '|').length).toBeLessThanOrEqual(200 + 2);
    expect(value.endsWith('…`')).toBe(true);
  });

  it('GIVEN more detail than a comment holds THEN later stacks are left out with a note', () => {
    const edit = editable();
    const tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`Tag${i}`, 'y'.repeat(150)]));
    for (let i = 0; i < 20; i += 1) {
      const name = `wms-test-bulk${String(i).padStart(2, '0')}`;
      const stack = structuredClone(edit.stack(PLATFORM));
      (edit.after.stacks as Map<string, JsonObject>).set(name, stack);
      (edit.base.stacks as Map<string, JsonObject>).set(name, structuredClone(stack));
      const resources = stack.resource as Record<string, Record<string, JsonObject>>;
      for (const byName of Object.values(resources))
        for (const body of Object.values(byName)) body.tags = tags;
    }
    const markdown = formatMarkdown(buildReport(edit.base, edit.after));
    expect(markdown.length).toBeLessThanOrEqual(MAX_MARKDOWN_LENGTH + 1000);
    expect(markdown).toMatch(/Details of \d+ more stacks left out to fit a comment \(`wms-test-bulk\d\d`/);
  });
});

describe('toJsonReport', () => {
  it('GIVEN the fixture pull request THEN totals, findings and stacks, without resource bodies', () => {
    const json = JSON.parse(JSON.stringify(toJsonReport(report())));
    expect(Object.keys(json)).toEqual(['before', 'after', 'summary', 'findings', 'stacks']);
    expect(json.summary).toEqual({
      stacks: { added: 1, removed: 1, changed: 2, unchanged: 0 },
      resources: { added: 2, removed: 2, changed: 21, replaced: 5 },
      risks: { critical: 7, high: 15, medium: 3, low: 0 },
      risky: 25,
    });
    expect(json.findings[0]).toEqual({
      severity: 'high',
      category: 'public-exposure',
      stack: 'wms-test-app',
      address: 'kubernetes_ingress_v1.Api_Ingress_F1EDDEA5',
      constructPath: 'wms-test-app/Api/Ingress',
      message: 'Ingress made internet-facing',
      before: 'internal',
      after: 'internet-facing',
    });
    const platform = json.stacks.find((s: { stack: string }) => s.stack === PLATFORM);
    const bucket = platform.changes.find(
      (c: { address: string }) => c.address === 'aws_s3_bucket.Logs_Bucket_3640F0F5',
    );
    expect(bucket).toEqual({
      address: 'aws_s3_bucket.Logs_Bucket_3640F0F5',
      kind: 'resource',
      type: 'aws_s3_bucket',
      action: 'replace',
      constructPath: 'wms-test-platform/Logs/Bucket',
      replacement: { certainty: 'yes', reasons: ['bucket forces a new resource'] },
      attributes: [
        {
          path: 'bucket',
          before: 'wms-test-logs-111111111111',
          after: 'wms-test-logs-v2-111111111111',
          forcesReplacement: 'yes',
        },
      ],
    });
  });

  it('GIVEN the same trees twice THEN the same bytes in every format', () => {
    for (const format of [formatText, formatMarkdown, (r: DiffReport) => JSON.stringify(toJsonReport(r))]) {
      expect(format(report())).toBe(format(report()));
    }
    const reversed = editable();
    (reversed.after.stacks as Map<string, JsonObject>).clear();
    for (const [name, json] of [...fixture('after').stacks].reverse()) {
      (reversed.after.stacks as Map<string, JsonObject>).set(name, json);
    }
    expect(formatMarkdown({ ...buildReport(reversed.base, reversed.after), after: 'after' })).toBe(
      formatMarkdown(report()),
    );
  });

  it('GIVEN a policy diff THEN statements are compact JSON with sorted keys', () => {
    const edit = editable();
    edit.resources().aws_iam_role_policy.App_Policy_8F960C7F.policy = policy({
      Resource: '*',
      Action: 'sqs:*',
      Effect: 'Allow',
    });
    const json = JSON.parse(JSON.stringify(toJsonReport(buildReport(edit.base, edit.after))));
    const change = json.stacks.find((s: { stack: string }) => s.stack === PLATFORM).changes[0];
    expect(change.attributes[0].policy).toEqual({
      added: ['{"Action":"sqs:*","Effect":"Allow","Resource":"*"}'],
      removed: [
        '{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::wms-test-logs-111111111111/*","Sid":"ReadLogs"}',
      ],
    });
  });
});

describe('exact plan in the report', () => {
  const stack = (): StackDiff => report().stacks.find((s) => s.stack === PLATFORM) as StackDiff;
  const counts = { create: 1, update: 2, replace: 3, delete: 4, move: 5 };

  it('GIVEN no exact plan THEN the stack line counts the semantic diff and says so', () => {
    expect(stackSummaryLine(stack())).toBe(
      `${PLATFORM}: 2 to create, 12 to update, 3 to replace, 2 to delete, 0 to move (semantic diff)`,
    );
    expect(exactNotes(stack())).toEqual([]);
  });

  it('GIVEN a planned stack THEN Terraform counts, the residue, refusals and every disagreement', () => {
    const planned: StackDiff = {
      ...stack(),
      exact: {
        status: 'planned',
        changes: [],
        counts,
        residue: [],
        rounds: 0,
        cached: true,
        seconds: 12.5,
        refused: ['aws_eks_cluster.Eks_Cluster'],
      },
      agreement: {
        truePositives: 3,
        falsePositives: 0,
        falseNegatives: 1,
        disagreements: ['aws_x.y: the diff says update, Terraform plans replace'],
      },
    };
    expect(stackSummaryLine(planned)).toBe(
      `${PLATFORM}: 1 to create, 2 to update, 3 to replace, 4 to delete, 5 to move ` +
        '(terraform plan; the semantic diff disagrees on 1 resource)',
    );
    expect(exactNotes(planned)).toEqual([
      'terraform plan in 12.5s (base state from the cache); no-op residue: none',
      'aws_eks_cluster.Eks_Cluster has lifecycle.prevent_destroy: a real plan refuses to destroy it',
      'disagreement: aws_x.y: the diff says update, Terraform plans replace',
    ]);
    expect(formatMarkdown({ ...report(), stacks: [planned] })).toContain(
      '> disagreement: aws_x.y: the diff says update, Terraform plans replace  ',
    );
  });

  it('GIVEN a residue THEN the result is uncertain and the residue is printed', () => {
    const uncertain: StackDiff = {
      ...stack(),
      exact: {
        status: 'uncertain',
        changes: [],
        counts,
        residue: ['aws_sns_topic.T: update'],
        rounds: 6,
        cached: false,
        seconds: 80,
        refused: [],
      },
      agreement: { truePositives: 0, falsePositives: 0, falseNegatives: 0, disagreements: [] },
    };
    expect(stackSummaryLine(uncertain)).toMatch(
      /\(terraform plan, uncertain: the unchanged base still plans changes\)$/,
    );
    expect(exactNotes(uncertain)).toEqual([
      'terraform plan in 80s (base state built in 6 rounds); no-op residue: aws_sns_topic.T: update',
      'the semantic diff agrees with the plan on every resource',
    ]);
  });

  it('GIVEN a stack that cannot be planned THEN why, and the semantic counts', () => {
    const unavailable: StackDiff = {
      ...stack(),
      exact: { status: 'unavailable', reason: 'reads terraform_remote_state', seconds: 0 },
    };
    expect(stackSummaryLine(unavailable)).toMatch(
      /3 to replace, 2 to delete, 0 to move \(semantic diff: not planned\)$/,
    );
    expect(exactNotes(unavailable)).toEqual([
      'not planned by terraform: reads terraform_remote_state; the propagated semantic diff stands alone',
    ]);
  });
});
