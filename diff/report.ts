/**
 * Builds the diff report of two synthesized trees: the per-stack comparison, the risky changes, and the totals
 * every output format starts with.
 */
import { SEVERITIES } from '../guardrails/types';
import type { SynthTree } from './compare';
import { compareTrees } from './compare';
import type { DiffReport, Severity } from './model';
import { assessRisk } from './risk';

/** Compares two trees and assesses the risk of the changes. */
export function buildReport(before: SynthTree, after: SynthTree): DiffReport {
  const stacks = compareTrees(before, after);
  return { before: before.label, after: after.label, stacks, findings: assessRisk(stacks, before, after) };
}

/** The totals of a report. */
export interface DiffSummary {
  /** Stacks by status. */
  readonly stacks: {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    readonly unchanged: number;
  };
  /** Managed resources to create, destroy and change; `changed` includes the `replaced` ones. */
  readonly resources: {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    readonly replaced: number;
  };
  /** Findings per severity, worst first. */
  readonly risks: Readonly<Record<Severity, number>>;
  /** Number of findings. */
  readonly risky: number;
}

/** Counts stacks, resources and findings. Resources count managed resources only. */
export function summarize(report: DiffReport): DiffSummary {
  const status = (wanted: string) => report.stacks.filter((stack) => stack.status === wanted).length;
  const resources = report.stacks.flatMap((stack) =>
    stack.changes.filter((change) => change.kind === 'resource'),
  );
  const action = (wanted: string) => resources.filter((change) => change.action === wanted).length;
  return {
    stacks: {
      added: status('added'),
      removed: status('removed'),
      changed: status('changed'),
      unchanged: status('unchanged'),
    },
    resources: {
      added: action('create'),
      removed: action('delete'),
      changed: action('update') + action('replace'),
      replaced: action('replace'),
    },
    risks: Object.fromEntries(
      SEVERITIES.map((severity) => [severity, report.findings.filter((f) => f.severity === severity).length]),
    ) as Record<Severity, number>,
    risky: report.findings.length,
  };
}

/** True when nothing differs. */
export function isEmpty(report: DiffReport): boolean {
  return report.stacks.every((stack) => stack.status === 'unchanged');
}
