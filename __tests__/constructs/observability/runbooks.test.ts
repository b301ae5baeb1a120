import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ALERTS, renderRuleGroups, withAlertTable } from '../../../constructs/observability/alert-rules';
import { LOG_ALERTS } from '../../../constructs/observability/log-alert-rules';
import { RULE_OPTIONS } from './fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const RUNBOOKS = join(ROOT, 'docs', 'runbooks');
const SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'];
const runbookFiles = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));

describe('runbooks', () => {
  const ALL = [...ALERTS, ...LOG_ALERTS];
  it.each(ALL.map((a) => [a.name, a.runbook]))(
    'GIVEN %s THEN docs/runbooks/%s.md exists with Meaning, Impact, Diagnosis, Mitigation, Escalation',
    (name, runbook) => {
      expect(runbookFiles).toContain(`${runbook}.md`);
      const text = readFileSync(join(RUNBOOKS, `${runbook}.md`), 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${name}`);
      const headings = text
        .split('\n')
        .filter((line) => line.startsWith('## '))
        .map((line) => line.slice(3));
      expect(headings).toEqual(SECTIONS);
      const bodies = text.split(/^## .*$/m).slice(1);
      for (const body of bodies) expect(body.trim().length).toBeGreaterThan(40);
    },
  );

  it('THEN every runbook_url names an existing runbook file', () => {
    const urls = renderRuleGroups(RULE_OPTIONS)
      .groups.flatMap((g) => g.rules)
      .flatMap((r) => ('alert' in r ? [r.annotations.runbook_url] : []));
    expect(urls).toHaveLength(ALERTS.length);
    for (const url of urls) {
      expect(url.startsWith(`${RULE_OPTIONS.runbookBaseUrl}/`)).toBe(true);
      expect(runbookFiles).toContain(basename(url));
    }
  });

  it('THEN there is no Wms* runbook without an alert (other runbooks, e.g. database-alarms.md, are not ours)', () => {
    const ours = runbookFiles.filter((f) => /^Wms[A-Z]/.test(f));
    expect(ours.filter((f) => !ALL.some((a) => `${a.runbook}.md` === f))).toEqual([]);
  });
});

describe('docs/monitoring.md', () => {
  it('THEN its alert table is the one generated from the rule definitions', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'monitoring.md'), 'utf8');
    // On failure, regenerate it as docs/monitoring.md says ("The alert table").
    expect(withAlertTable(doc)).toBe(doc);
  });
});
