import { RULE_FAMILIES } from './rule-pack';
import type {
  Finding,
  GuardrailsReport,
  Severity,
  StackResult,
  StaleSuppression,
  SuppressedFinding,
} from './types';
import { SEVERITIES } from './types';

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function heading(stackName: string, address: string, constructPath?: string): string {
  return `${stackName}  ${address}${constructPath ? `  (${constructPath})` : ''}`;
}

/** Groups items by stack and resource address, keeping their order. */
function byResource<T extends { stackName: string; address: string; constructPath?: string }>(
  items: readonly T[],
): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.stackName}\u0000${item.address}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

function findingLines(findings: readonly Finding[]): string[] {
  return byResource(findings).flatMap((group) => [
    heading(group[0].stackName, group[0].address, group[0].constructPath),
    ...group.flatMap((finding) => [
      `  ${finding.ruleId} [${finding.severity}] ${finding.message}`,
      `  fix: ${finding.fix}`,
    ]),
    '',
  ]);
}

function staleLines(stale: readonly StaleSuppression[]): string[] {
  return byResource(stale).flatMap((group) => [
    heading(group[0].stackName, group[0].address, group[0].constructPath),
    ...group.map(
      (entry) =>
        `  stale suppression of ${entry.ruleId} (reason: ${JSON.stringify(entry.reason)}): ${entry.problem}`,
    ),
    '',
  ]);
}

function suppressedLines(suppressed: readonly SuppressedFinding[]): string[] {
  return suppressed.map(
    (entry) => `  ${entry.ruleId} on ${entry.stackName} ${entry.address}: ${entry.reason}`,
  );
}

function allFindings(report: GuardrailsReport): Finding[] {
  return report.stacks.flatMap((stack) => stack.findings);
}

function allSuppressed(report: GuardrailsReport): SuppressedFinding[] {
  return report.stacks.flatMap((stack) => stack.suppressed);
}

function allStale(report: GuardrailsReport): StaleSuppression[] {
  return report.stacks.flatMap((stack) => stack.stale);
}

/** Counts findings per severity. */
export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

function environmentOf(stack: StackResult): string {
  if (stack.environment.assumed) return 'no "//".wms metadata, production rules applied';
  return `${stack.environment.name ?? 'unnamed'}${stack.environment.production ? ' (production)' : ''}`;
}

/** One line summing up a report. */
export function summaryLine(report: GuardrailsReport): string {
  const findings = allFindings(report);
  const counts = severityCounts(findings);
  const bySeverity = SEVERITIES.filter((severity) => counts[severity] > 0).map(
    (severity) => `${counts[severity]} ${severity}`,
  );
  const stacks = report.stacks.map((stack) => `${stack.stackName}: ${environmentOf(stack)}`).join('; ');
  return (
    `guardrails: ${report.passed ? 'passed' : 'FAILED'}: ${plural(findings.length, 'finding')}` +
    `${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}, ${allSuppressed(report).length} suppressed, ` +
    `${plural(allStale(report).length, 'stale suppression')} in ${plural(report.stacks.length, 'stack')} (${stacks})`
  );
}

/**
 * The human report: every unsuppressed finding grouped by resource (stack, address, construct path, then per
 * finding the rule id, severity, what is wrong and the fix), stale suppressions, the suppressed findings, and a
 * summary line.
 */
export function formatText(report: GuardrailsReport): string {
  const findings = allFindings(report);
  const stale = allStale(report);
  const suppressed = allSuppressed(report);
  const lines: string[] = [];
  if (findings.length) lines.push(...findingLines(findings));
  if (stale.length) lines.push('Stale suppressions (they fail the check too):', '', ...staleLines(stale));
  if (suppressed.length) lines.push('Suppressed:', ...suppressedLines(suppressed), '');
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** The message a failed synth prints: the text report plus how to fix or suppress a finding. */
export function formatSynthFailure(report: GuardrailsReport): string {
  return [
    formatText(report).trimEnd(),
    '',
    'Change the resource as the fix says. If a rule does not apply, suppress it next to the construct that creates the',
    "resource, with the reason: suppress(resource, 'RULE_ID', 'why it does not apply here') from guardrails/suppress.ts.",
    'Rules and suppressions are documented in docs/guardrails.md.',
    '',
  ].join('\n');
}

/** The JSON report (`--format json`). */
export function toJsonReport(report: GuardrailsReport): object {
  const findings = allFindings(report);
  const withFile = <T extends { stackName: string }>(item: T) => ({
    ...item,
    file: report.stacks.find((stack) => stack.stackName === item.stackName)?.source?.path,
  });
  return {
    tool: 'wms-guardrails',
    formatVersion: 1,
    passed: report.passed,
    summary: {
      stacks: report.stacks.length,
      resources: report.stacks.reduce((sum, stack) => sum + stack.resourceCount, 0),
      findings: findings.length,
      suppressed: allSuppressed(report).length,
      stale: allStale(report).length,
      bySeverity: severityCounts(findings),
    },
    stacks: report.stacks.map((stack) => ({
      name: stack.stackName,
      file: stack.source?.path,
      environment: stack.environment.name ?? null,
      production: stack.environment.production,
      productionAssumed: stack.environment.assumed,
      resources: stack.resourceCount,
      findings: stack.findings.length,
      suppressed: stack.suppressed.length,
      stale: stack.stale.length,
    })),
    findings: findings.map(withFile),
    suppressed: allSuppressed(report).map(withFile),
    stale: allStale(report).map(withFile),
  };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The rules table for docs/guardrails.md (`--rules-markdown`): one table per family. */
export function rulesMarkdown(): string {
  const lines: string[] = [];
  for (const family of RULE_FAMILIES) {
    lines.push(
      `### ${family.name}`,
      '',
      '| Id | Severity | Environments | Resource types | Requires |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const rule of family.rules) {
      const types = rule.resourceTypesLabel ?? rule.resourceTypes.map((type) => `\`${type}\``).join(', ');
      const environments = rule.productionOnly ? 'production only' : 'all';
      lines.push(
        `| \`${rule.id}\` | ${rule.severity} | ${environments} | ${cell(types)} | ${cell(`**${rule.title}.** ${rule.requirement}`)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
