/**
 * The cost report of a synthesized tree: a table per environment (its stacks and total), the assumptions and the
 * price sources used, what is not counted; and the comparison of two trees per environment (the pull-request
 * comment).
 */
import type { JsonObject } from '../model/values';
import type { StackEstimate } from './estimate';
import { estimateStack, stackEnvironment, stackRegion, usd } from './estimate';
import type { AssumptionName, PriceRow, Prices } from './price-table';

/** The estimate of one environment. */
export interface EnvironmentEstimate {
  readonly environment: string;
  readonly region?: string;
  readonly stacks: readonly StackEstimate[];
  readonly monthlyUsd: number;
}

/** The estimate of a whole tree. */
export interface TreeEstimate {
  readonly environments: readonly EnvironmentEstimate[];
  readonly monthlyUsd: number;
}

/** Estimates every stack of a tree, grouped by environment (sorted by name). */
export function estimateTree(stacks: ReadonlyMap<string, JsonObject>, prices: Prices): TreeEstimate {
  const byEnvironment = new Map<string, [string, JsonObject][]>();
  for (const [name, json] of [...stacks.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const environment = stackEnvironment(json);
    byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), [name, json]]);
  }
  const environments = [...byEnvironment.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([environment, members]): EnvironmentEstimate => {
      const region = members.map(([, json]) => stackRegion(json)).find((found) => found !== undefined);
      const estimates = members.map(([name, json]) => estimateStack(name, json, prices, region));
      return {
        environment,
        region,
        stacks: estimates,
        monthlyUsd: estimates.reduce((sum, stack) => sum + stack.monthlyUsd, 0),
      };
    });
  return { environments, monthlyUsd: environments.reduce((sum, env) => sum + env.monthlyUsd, 0) };
}

/** A Markdown table with padded columns (readable as text too). */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: number[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const cell = (text: string, i: number) =>
    right.includes(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right.includes(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}

function allLines(tree: TreeEstimate) {
  return tree.environments.flatMap((env) => env.stacks.flatMap((stack) => stack.lines));
}

/** The assumptions the estimate used, each with its value and why. */
function assumptionsSection(trees: readonly TreeEstimate[], prices: Prices): string[] {
  const used = new Set<AssumptionName>(
    trees.flatMap((tree) => allLines(tree).flatMap((line) => [...line.assumptions])),
  );
  const names = [...used].sort();
  return [
    `Assumptions (usage the synthesized JSON cannot tell; cost/prices.json): ${prices.table.hoursPerMonth} hours a month;`,
    ...names.map((name) => {
      const { value, why } = prices.table.assumptions[name];
      return `- ${name} = ${value}: ${why}`;
    }),
    `- karpenterNodes = ${prices.assume('karpenterNodes')}: ${prices.table.assumptions.karpenterNodes.why}`,
  ];
}

/** How sure the prices used are, and where they come from. */
function pricesSection(trees: readonly TreeEstimate[]): string[] {
  const rows = new Map<string, PriceRow>();
  for (const line of trees.flatMap(allLines))
    for (const row of line.prices) rows.set(`${row.region}/${row.key}`, row);
  const byStatus = new Map<string, number>();
  for (const row of rows.values()) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
  const dates = [...new Set([...rows.values()].map((row) => row.retrieved))].sort();
  const counts = [...byStatus.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  return [
    `Prices: ${rows.size} unit prices used (${counts || 'none'}), written ${dates.join(', ') || '-'}; on-demand list ` +
      'prices without tax, Savings Plans, reserved instances, free tiers or data transfer out. "recalled" prices had ' +
      'no readable primary source when written: check them (cost/prices.json says how) before quoting a total.',
  ];
}

/** Resource types left out, once per type over the tree. */
function notCountedSection(tree: TreeEstimate): string[] {
  const byReason = new Map<string, Set<string>>();
  const notes = new Set<string>();
  for (const stack of tree.environments.flatMap((env) => env.stacks)) {
    for (const entry of stack.notCounted) {
      byReason.set(entry.reason, (byReason.get(entry.reason) ?? new Set()).add(entry.type));
    }
    stack.notes.forEach((note) => notes.add(`${stack.environment}: ${note}`));
  }
  const say = (reason: string, title: string) =>
    byReason.has(reason) ? [`- ${title}: ${[...(byReason.get(reason) ?? [])].sort().join(', ')}`] : [];
  return [
    'Not counted:',
    ...say('usage', 'billed by usage the JSON cannot tell'),
    ...say('unclassified', 'UNCLASSIFIED (add the type to cost/estimate.ts)'),
    `- no charge of their own: ${byReason.get('free')?.size ?? 0} resource types (IAM, routes, security groups, policies...)`,
    '- in-cluster storage (Prometheus and Loki volumes made from Helm values) and data transfer',
    ...[...notes].sort().map((note) => `- ${note}`),
  ];
}

/** The report of one tree: per environment a table of its stacks with the total, then the line items if asked. */
export function formatEstimate(
  tree: TreeEstimate,
  prices: Prices,
  options: { details?: boolean } = {},
): string {
  const out: string[] = [`Estimated monthly cost (${prices.table.currency}, on-demand list prices)`, ''];
  for (const env of tree.environments) {
    out.push(
      `## ${env.environment}${env.region ? ` (${env.region})` : ''}: ${usd(env.monthlyUsd)} USD/month`,
      '',
    );
    const rows = env.stacks.map((stack) => [stack.stackName, usd(stack.monthlyUsd)]);
    out.push(...table(['Stack', 'USD/month'], [...rows, ['total', usd(env.monthlyUsd)]], [1]), '');
    if (options.details) {
      for (const stack of env.stacks.filter((s) => s.lines.length > 0)) {
        out.push(`### ${stack.stackName}`, '');
        const items = stack.lines.map((line) => [line.item, line.detail, usd(line.monthlyUsd)]);
        out.push(...table(['Item', 'Arithmetic', 'USD/month'], items, [2]), '');
      }
    }
  }
  out.push(`All environments: ${usd(tree.monthlyUsd)} USD/month`, '');
  out.push(
    ...assumptionsSection([tree], prices),
    '',
    ...pricesSection([tree]),
    '',
    ...notCountedSection(tree),
    '',
  );
  return out.join('\n');
}

function signed(amount: number): string {
  const rounded = Number(amount.toFixed(2));
  if (rounded === 0) return '0.00';
  return `${rounded > 0 ? '+' : ''}${usd(rounded)}`;
}

/** The change between two trees per environment, and per stack where it changed (Markdown). */
export function formatComparison(
  base: TreeEstimate,
  head: TreeEstimate,
  prices: Prices,
  labels: { base: string; head: string },
): string {
  const envs = [
    ...new Set([...base.environments, ...head.environments].map((env) => env.environment)),
  ].sort();
  const find = (tree: TreeEstimate, name: string) =>
    tree.environments.find((env) => env.environment === name);
  const rows = envs.map((name) => {
    const before = find(base, name)?.monthlyUsd ?? 0;
    const after = find(head, name)?.monthlyUsd ?? 0;
    return [name, usd(before), usd(after), signed(after - before)];
  });
  const stackOf = (tree: TreeEstimate) =>
    new Map(tree.environments.flatMap((env) => env.stacks.map((stack) => [stack.stackName, stack] as const)));
  const [beforeStacks, afterStacks] = [stackOf(base), stackOf(head)];
  const names = [...new Set([...beforeStacks.keys(), ...afterStacks.keys()])].sort();
  const changed = names
    .map((name) => {
      const before = beforeStacks.get(name)?.monthlyUsd ?? 0;
      const after = afterStacks.get(name)?.monthlyUsd ?? 0;
      return { name, before, after, delta: after - before };
    })
    .filter((entry) => Math.abs(entry.delta) >= 0.005);
  const out = [
    '## Estimated monthly cost',
    '',
    `\`${labels.base}\` -> \`${labels.head}\`, USD per month (\`npm run cost\`; README "Cost estimate" says what it leaves out).`,
    '',
    ...table(['Environment', 'Base', 'Head', 'Change'], rows, [1, 2, 3]),
    '',
  ];
  if (changed.length > 0) {
    out.push(
      ...table(
        ['Stack', 'Base', 'Head', 'Change'],
        changed.map((entry) => [entry.name, usd(entry.before), usd(entry.after), signed(entry.delta)]),
        [1, 2, 3],
      ),
      '',
    );
  } else {
    out.push('No stack changes its estimated cost.', '');
  }
  out.push('<details><summary>Assumptions and prices</summary>', '');
  out.push(...assumptionsSection([base, head], prices), '', ...pricesSection([base, head]), '');
  out.push('</details>', '');
  return out.join('\n');
}
