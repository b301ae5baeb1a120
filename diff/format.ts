/**
 * Renders a diff report as text (the terminal), Markdown (a pull-request comment) or JSON (other tools). Every
 * format lists the risky changes first, then the changes per stack; all orders are fixed, so the same trees give
 * the same bytes.
 */
import { SEVERITIES } from '../guardrails/types';
import { display, MAX_VALUE_LENGTH } from './attributes';
import { semanticActions } from './agreement';
import type { ExactCounts } from './exact';
import type { AttributeChange, DiffReport, EntryChange, RiskFinding, StackDiff } from './model';
import type { DiffSummary } from './report';
import { isEmpty, summarize } from './report';

/** GitHub rejects comments over 65,536 characters; stay well below with room for a footer. */
export const MAX_MARKDOWN_LENGTH = 60000;
/** Changed attributes shown per resource before the rest are counted. */
const MAX_ATTRIBUTES = 40;
/** Lines shown per side of a multi-line or policy change. */
const MAX_LINES = 30;
/** A policy statement is cut at this length (statements are the unit a reviewer reads). */
const MAX_STATEMENT_LENGTH = 400;

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function riskTotals(summary: DiffSummary): string {
  if (summary.risky === 0) return 'no risky changes';
  const parts = SEVERITIES.filter((severity) => summary.risks[severity] > 0).map(
    (severity) => `${summary.risks[severity]} ${severity}`,
  );
  return `${plural(summary.risky, 'risky change')} (${parts.join(', ')})`;
}

function stackTotals(summary: DiffSummary): string {
  const { added, removed, changed, unchanged } = summary.stacks;
  return `stacks: ${changed} changed, ${added} added, ${removed} removed, ${unchanged} unchanged`;
}

function resourceTotals(summary: DiffSummary): string {
  const { added, removed, changed, replaced } = summary.resources;
  return `resources: ${added} to add, ${changed} to change (${replaced} replaced), ${removed} to destroy`;
}

/** One line of totals, the first line of every format. */
export function summaryLine(report: DiffReport): string {
  const summary = summarize(report);
  if (isEmpty(report)) return `wms diff: no changes (${plural(report.stacks.length, 'stack')} compared)`;
  return `wms diff: ${riskTotals(summary)}; ${stackTotals(summary)}; ${resourceTotals(summary)}`;
}

const SYMBOLS: Readonly<Record<EntryChange['action'], string>> = {
  create: '+',
  delete: '-',
  update: '~',
  replace: '-/+',
};

function stackCounts(stack: StackDiff): string {
  if (stack.status === 'added') return `stack added, ${plural(stack.resources.after, 'resource')}`;
  if (stack.status === 'removed') return `stack removed, ${plural(stack.resources.before, 'resource')}`;
  const count = (action: EntryChange['action']) => stack.changes.filter((c) => c.action === action).length;
  const replaced = count('replace');
  return [
    count('create') > 0 ? `${count('create')} added` : '',
    count('delete') > 0 ? `${count('delete')} removed` : '',
    count('update') + replaced > 0
      ? `${count('update') + replaced} changed${replaced > 0 ? ` (${replaced} replaced)` : ''}`
      : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
}

/** The counts of a stack as Terraform's plan summary gives them: create / update / replace / delete / move. */
export function stackActionCounts(stack: StackDiff): ExactCounts {
  if (stack.exact && stack.exact.status !== 'unavailable') return stack.exact.counts;
  const counts = { create: 0, update: 0, replace: 0, delete: 0, move: 0 };
  for (const action of semanticActions(stack).values()) counts[action] += 1;
  counts.move += stack.changes.filter((c) => c.kind === 'resource' && c.movedFrom && c.movedByBlock).length;
  return counts;
}

/** One summary line per stack, from Terraform's plan when the stack was planned, else from the semantic diff. */
export function stackSummaryLine(stack: StackDiff): string {
  const counts = stackActionCounts(stack);
  const source =
    stack.exact === undefined
      ? 'semantic diff'
      : stack.exact.status === 'unavailable'
        ? 'semantic diff: not planned'
        : stack.exact.status === 'uncertain'
          ? 'terraform plan, uncertain: the unchanged base still plans changes'
          : 'terraform plan';
  const disagreements = stack.agreement?.disagreements.length ?? 0;
  const agreement =
    disagreements > 0 ? `; the semantic diff disagrees on ${plural(disagreements, 'resource')}` : '';
  return `${stack.stack}: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete, ${counts.move} to move (${source}${agreement})`;
}

/** What the exact plan of a stack says beyond its counts: why not planned, residue, refusals, disagreements. */
export function exactNotes(stack: StackDiff): string[] {
  const exact = stack.exact;
  if (!exact) return [];
  if (exact.status === 'unavailable')
    return [`not planned by terraform: ${exact.reason}; the propagated semantic diff stands alone`];
  const notes = [
    `terraform plan in ${exact.seconds}s (base state ${exact.cached ? 'from the cache' : `built in ${exact.rounds} rounds`}); no-op residue: ${exact.residue.length === 0 ? 'none' : exact.residue.join(', ')}`,
  ];
  for (const address of exact.refused)
    notes.push(`${address} has lifecycle.prevent_destroy: a real plan refuses to destroy it`);
  const disagreements = stack.agreement?.disagreements ?? [];
  if (disagreements.length === 0) notes.push('the semantic diff agrees with the plan on every resource');
  for (const line of disagreements) notes.push(`disagreement: ${line}`);
  return notes;
}

/** What happens to an entry, beyond its symbol: a move, a replacement, a new construct path. */
function changeNotes(change: EntryChange): string[] {
  const notes: string[] = [];
  if (change.movedFrom) {
    notes.push(
      `moved from ${change.movedFrom}${change.movedByBlock ? ' (moved block: updated in place)' : ''}`,
    );
  }
  if (change.replacement) {
    notes.push(
      `${change.replacement.certainty === 'yes' ? 'replaced' : 'may be replaced'}: ${change.replacement.reasons.join('; ')}`,
    );
  }
  if (change.previousConstructPath && !change.movedFrom)
    notes.push(`construct path was ${change.previousConstructPath}`);
  if (change.causedBy) notes.push(`cause chain: ${[...change.causedBy, change.address].join(' → ')}`);
  return notes;
}

function forcesNote(attribute: AttributeChange): string {
  if (attribute.forcesReplacement === 'yes') return 'forces replacement';
  if (attribute.forcesReplacement === 'may') return 'may force replacement';
  return '';
}

function limitedLines(prefix: string, lines: readonly string[], max: number): string[] {
  const shown = lines.slice(0, max).map((line) => `${prefix} ${line}`);
  return lines.length > max ? [...shown, `${prefix} … ${lines.length - max} more`] : shown;
}

/** The detail lines of an attribute change: `+`/`-` statements of a policy, lines of a multi-line string. */
function detailLines(attribute: AttributeChange): string[] {
  if (attribute.policy) {
    return [
      ...limitedLines(
        '+',
        attribute.policy.added.map((s) => cut(s, MAX_STATEMENT_LENGTH)),
        MAX_LINES,
      ),
      ...limitedLines(
        '-',
        attribute.policy.removed.map((s) => cut(s, MAX_STATEMENT_LENGTH)),
        MAX_LINES,
      ),
    ];
  }
  if (attribute.lines) {
    return [
      ...limitedLines(
        '+',
        attribute.lines.added.map((l) => cut(l, MAX_VALUE_LENGTH)),
        MAX_LINES,
      ),
      ...limitedLines(
        '-',
        attribute.lines.removed.map((l) => cut(l, MAX_VALUE_LENGTH)),
        MAX_LINES,
      ),
    ];
  }
  return [];
}

function attributeSummary(attribute: AttributeChange): string {
  if (attribute.policy) {
    return `policy statements: ${attribute.policy.added.length} added, ${attribute.policy.removed.length} removed`;
  }
  if (attribute.lines)
    return `lines: ${attribute.lines.added.length} added, ${attribute.lines.removed.length} removed`;
  return `${display(attribute.before)} -> ${display(attribute.after)}`;
}

/** Stateful replacements and deletions (critical stateful-identity findings) first, the other findings after. */
export function splitFindings(findings: readonly RiskFinding[]): [RiskFinding[], RiskFinding[]] {
  const first = (f: RiskFinding) => f.category === 'stateful-identity' && f.severity === 'critical';
  return [findings.filter(first), findings.filter((f) => !first(f))];
}

function findingTextLines(finding: RiskFinding): string[] {
  return [
    `[${finding.severity}] ${finding.category}  ${finding.stack}  ${finding.address}${finding.constructPath ? `  (${finding.constructPath})` : ''}`,
    `  ${finding.message}`,
    ...(finding.before !== undefined || finding.after !== undefined
      ? [`  before: ${finding.before ?? '(none)'}`, `  after:  ${finding.after ?? '(none)'}`]
      : []),
  ];
}

function changeTextLines(change: EntryChange): string[] {
  const lines = [
    `  ${SYMBOLS[change.action]} ${change.address}${change.constructPath ? `  (${change.constructPath})` : ''}`,
    ...changeNotes(change).map((note) => `      ${note}`),
  ];
  const attributes = change.attributes.slice(0, MAX_ATTRIBUTES);
  for (const attribute of attributes) {
    const forces = forcesNote(attribute);
    lines.push(`      ${attribute.path}: ${attributeSummary(attribute)}${forces ? `  [${forces}]` : ''}`);
    lines.push(...detailLines(attribute).map((line) => `        ${line}`));
  }
  if (change.attributes.length > MAX_ATTRIBUTES) {
    lines.push(`      … ${change.attributes.length - MAX_ATTRIBUTES} more attributes (see --format json)`);
  }
  return lines;
}

/** The report for a terminal. */
export function formatText(report: DiffReport): string {
  const lines = [summaryLine(report), `compared: ${report.before} -> ${report.after}`];
  if (isEmpty(report)) return `${lines.join('\n')}\n`;
  const [stateful, risky] = splitFindings(report.findings);
  if (stateful.length > 0) {
    lines.push('', 'Stateful replacements and deletions', '');
    for (const finding of stateful) lines.push(...findingTextLines(finding), '');
  }
  if (risky.length > 0) {
    lines.push('', stateful.length > 0 ? 'Other risky changes' : 'Risky changes', '');
    for (const finding of risky) lines.push(...findingTextLines(finding), '');
  } else if (stateful.length === 0) {
    lines.push('', 'No risky changes.', '');
  }
  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  lines.push('Stacks', '', ...changed.map(stackSummaryLine), '');
  lines.push('Changes', '');
  for (const stack of changed) {
    lines.push(`${stack.stack} (${stackCounts(stack)})`);
    lines.push(...exactNotes(stack).map((note) => `  ${note}`));
    for (const change of stack.changes) lines.push(...changeTextLines(change));
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Inline code that survives backticks in the value and pipes in a table cell. */
function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  if (!flat.includes('`')) return `\`${flat}\``;
  return `\`\` ${flat} \`\``;
}

function cell(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return code(cut(text, MAX_VALUE_LENGTH));
}

function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\|*<>[\]])/g, '\\$1');
}

function findingsTable(findings: readonly RiskFinding[]): string[] {
  return [
    '| Severity | Category | Stack | Resource | What changed | Before | After |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...findings.map((finding) =>
      [
        '',
        `**${finding.severity}**`,
        finding.category,
        code(finding.stack),
        `${code(finding.address)}${finding.constructPath ? `<br>${code(finding.constructPath)}` : ''}`,
        escapeMarkdown(cut(finding.message, 300)),
        cell(finding.before),
        cell(finding.after),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ];
}

function fence(lines: readonly string[], language: string, indent: string): string[] {
  const longest = Math.max(
    2,
    ...lines.map((line) => (line.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length), 0)),
  );
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return [`${indent}${ticks}${language}`, ...lines.map((line) => `${indent}${line}`), `${indent}${ticks}`];
}

function changeMarkdownLines(change: EntryChange): string[] {
  const notes = changeNotes(change);
  const lines = [
    `- ${SYMBOLS[change.action] === '-/+' ? '**-/+**' : `**${SYMBOLS[change.action]}**`} ${code(change.address)}${change.constructPath ? ` (${code(change.constructPath)})` : ''}${notes.length > 0 ? ` — ${escapeMarkdown(notes.join('; '))}` : ''}`,
  ];
  for (const attribute of change.attributes.slice(0, MAX_ATTRIBUTES)) {
    const forces = forcesNote(attribute);
    const suffix = forces ? ` **(${forces})**` : '';
    if (attribute.policy || attribute.lines) {
      lines.push(`  - ${code(attribute.path)}: ${escapeMarkdown(attributeSummary(attribute))}${suffix}`);
      lines.push(...fence(detailLines(attribute), 'diff', '    '));
    } else {
      lines.push(
        `  - ${code(attribute.path)}: ${cell(display(attribute.before))} → ${cell(display(attribute.after))}${suffix}`,
      );
    }
  }
  if (change.attributes.length > MAX_ATTRIBUTES) {
    lines.push(
      `  - … ${change.attributes.length - MAX_ATTRIBUTES} more attributes (run \`npm run diff\` locally)`,
    );
  }
  return lines;
}

function stackDetails(stack: StackDiff): string {
  return [
    `<details><summary><code>${stack.stack}</code>: ${escapeMarkdown(stackCounts(stack))}</summary>`,
    '',
    ...exactNotes(stack).map((note) => `> ${escapeMarkdown(note)}  `),
    ...(stack.exact ? [''] : []),
    ...stack.changes.flatMap(changeMarkdownLines),
    '',
    '</details>',
  ].join('\n');
}

/** The report as a pull-request comment: totals, the risky-changes table, then one collapsed section per stack. */
export function formatMarkdown(report: DiffReport): string {
  const header = `### ${summaryLine(report)}`;
  const compared = `Compared ${code(report.before)} → ${code(report.after)}.`;
  if (isEmpty(report)) return `${header}\n\n${compared}\n`;
  const parts = [header, '', compared, ''];
  const [stateful, risky] = splitFindings(report.findings);
  if (stateful.length > 0) {
    parts.push('#### Stateful replacements and deletions', '', ...findingsTable(stateful), '');
  }
  if (risky.length > 0) {
    parts.push(
      `#### ${stateful.length > 0 ? 'Other risky changes' : 'Risky changes'}`,
      '',
      ...findingsTable(risky),
      '',
    );
  } else if (stateful.length === 0) {
    parts.push('No risky changes.', '');
  }
  const summaries = report.stacks.filter((s) => s.status !== 'unchanged').map(stackSummaryLine);
  parts.push('#### Stacks', '', ...summaries.map((line) => `- ${escapeMarkdown(line)}`), '');
  parts.push('#### Changes by stack', '', '');
  let text = parts.join('\n');
  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  for (const [index, stack] of changed.entries()) {
    const details = `${stackDetails(stack)}\n\n`;
    if (text.length + details.length > MAX_MARKDOWN_LENGTH) {
      const rest = changed.slice(index).map((s) => code(s.stack));
      text += `Details of ${plural(rest.length, 'more stack')} left out to fit a comment (${rest.join(', ')}): run \`npm run diff\` locally.\n`;
      break;
    }
    text += details;
  }
  return text.replace(/\n+$/, '\n');
}

function jsonChange(change: EntryChange): object {
  // The bodies are left out: the attribute changes say what differs, and the bodies can be large.
  const { before: _before, after: _after, ...rest } = change;
  return rest;
}

/** The report as one JSON document: totals, findings, and every stack with its changes. */
export function toJsonReport(report: DiffReport): object {
  return {
    before: report.before,
    after: report.after,
    summary: summarize(report),
    findings: report.findings,
    stacks: report.stacks.map((stack) => ({ ...stack, changes: stack.changes.map(jsonChange) })),
  };
}
