import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALERTS, renderRuleFileYaml, renderRuleGroups } from '../../../constructs/observability/alert-rules';
import { RULE_OPTIONS } from './fixtures';
import { renderPromtoolTests, renderTemplate } from './promtool-suite';
import { ALERT_CASES, EXPR_CASES } from './rule-cases';
import { requireTool, runTool } from './tools';

const rules = renderRuleGroups(RULE_OPTIONS);

describe('the promtool cases', () => {
  it.each(ALERTS.map((a) => [a.name]))(
    'GIVEN %s THEN at least one case fires it and one keeps it quiet',
    (name) => {
      const cases = ALERT_CASES.filter((c) => c.alert === name);
      expect(cases.filter((c) => c.fires.length > 0).length).toBeGreaterThan(0);
      expect(cases.filter((c) => c.fires.length === 0).length).toBeGreaterThan(0);
    },
  );

  it('THEN name only defined alerts, with unique titles', () => {
    const names = new Set(ALERTS.map((a) => a.name));
    expect(ALERT_CASES.filter((c) => !names.has(c.alert))).toEqual([]);
    const titles = ALERT_CASES.map((c) => `${c.alert}: ${c.title}`);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('renderTemplate', () => {
  it('GIVEN labels and a value THEN renders them as Prometheus would for the case', () => {
    expect(
      renderTemplate('{{ $labels.job }} is {{ $value | humanizePercentage }}', { job: 'api' }, '10%'),
    ).toBe('api is 10%');
  });

  it('GIVEN a label the case lacks, a missing value or another action THEN refuses', () => {
    expect(() => renderTemplate('{{ $labels.pod }}', {})).toThrow(/\$labels.pod/);
    expect(() => renderTemplate('{{ $value }}', {})).toThrow(/gives no value/);
    expect(() => renderTemplate('{{ if true }}x{{ end }}', {})).toThrow(/cannot render/);
  });
});

describe('the rendered rules, checked by promtool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-promtool-'));
    writeFileSync(join(dir, 'wms-rules.yaml'), renderRuleFileYaml(RULE_OPTIONS));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeTests = (files: Record<string, unknown>) =>
    Object.entries(files).map(([name, content]) => {
      writeFileSync(join(dir, name), stringify(content, { lineWidth: 0 }));
      return join(dir, name);
    });

  it('THEN pass promtool check rules', () => {
    const result = runTool('promtool', ['check', 'rules', join(dir, 'wms-rules.yaml')]);
    expect(result.output).toContain(`SUCCESS: ${rules.groups.flatMap((g) => g.rules).length} rules found`);
    expect(result.status).toBe(0);
  });

  it('THEN every alert fires above its threshold and stays quiet below it (promtool test rules)', () => {
    const files = writeTests(renderPromtoolTests(rules, 'wms-rules.yaml', ALERT_CASES, EXPR_CASES));
    const result = runTool('promtool', ['test', 'rules', ...files]);
    expect(result.output).not.toContain('FAILED');
    expect(result.output.match(/SUCCESS/g)).toHaveLength(files.length);
    expect(result.status).toBe(0);
  }, 180_000);

  it('GIVEN a wrong expectation THEN promtool test rules fails (the suite can fail)', () => {
    const [firing] = ALERT_CASES.filter((c) => c.alert === 'WmsApiHighErrorRate' && c.fires.length > 0);
    const wrong = { ...firing, title: 'wrong value', fires: [{ ...firing.fires[0], value: '11%' }] };
    const quietExpectedToFire = ALERT_CASES.find((c) => c.alert === 'WmsApiDown' && c.fires.length === 0);
    const files = writeTests(
      Object.fromEntries(
        Object.entries(
          renderPromtoolTests(
            rules,
            'wms-rules.yaml',
            [
              wrong,
              { ...quietExpectedToFire!, fires: [{ labels: { namespace: 'wms', endpoint: 'wms-api' } }] },
            ],
            [],
          ),
        ).map(([name, content]) => [`wrong-${name}`, content]),
      ),
    );
    const result = runTool('promtool', ['test', 'rules', ...files]);
    expect(result.output).toContain('FAILED');
    expect(result.output).toContain('11%');
    expect(result.output).toContain('alertname: WmsApiDown');
    expect(result.status).not.toBe(0);
  });
});

describe('requireTool', () => {
  it('GIVEN a tool that is not installed THEN fails and says how to install the tools', () => {
    expect(() => requireTool('promtool-not-installed')).toThrow(
      /promtool-not-installed is not installed or not on PATH .*run `bash scripts\/setup-tools.sh`/,
    );
  });
});
