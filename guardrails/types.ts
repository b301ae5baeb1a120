import type { ResourceNode, StackEnvironment, StackModel } from '../model/stack-model';

/** How bad a finding is; SARIF and the text report rank by it. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** All severities, worst first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** One thing a rule found wrong with one resource. */
export interface Violation {
  /** What is wrong, naming the attribute and the value found (e.g. `kms_key_id is missing`). */
  readonly message: string;
  /** A more specific one-line fix than the rule's own, when the rule can tell. */
  readonly fix?: string;
}

/** What a rule sees besides the resource under check. */
export interface RuleContext {
  /** The whole stack, for cross-resource rules (companion resources, references). */
  readonly stack: StackModel;
  /** Whether the stack is production (true when its environment metadata is missing). */
  readonly production: boolean;
}

/** A policy rule: which resource types it looks at, what it requires, and the check itself. */
export interface Rule {
  /** A public scanner id where one exists (`CKV_AWS_158`, `CKV2_AWS_11`, `CKV_K8S_20`, `AVD-AWS-0104`), else `WMS_*`. */
  readonly id: string;
  /** A short title, shown in SARIF and the rules table. */
  readonly title: string;
  /** How bad a violation is. */
  readonly severity: Severity;
  /** The Terraform resource types the rule checks. */
  readonly resourceTypes: readonly string[];
  /** Replaces the list of types in the rules table when it is too long to print. */
  readonly resourceTypesLabel?: string;
  /** What a compliant resource looks like, one or two sentences for the rules table. */
  readonly requirement: string;
  /** One line: what to change. */
  readonly fix: string;
  /** When true, the rule applies to production stacks only. */
  readonly productionOnly?: boolean;
  /** Where the public id is documented, when there is a stable address for it. */
  readonly helpUri?: string;
  /** Checks one resource of one of `resourceTypes`; returns one violation per thing wrong (none when compliant). */
  check(resource: ResourceNode, context: RuleContext): readonly Violation[];
}

/** A violation of a rule by a resource in a stack, ready to report. */
export interface Finding {
  /** The rule id. */
  readonly ruleId: string;
  /** The rule's severity. */
  readonly severity: Severity;
  /** The stack the resource is in. */
  readonly stackName: string;
  /** The resource address as Terraform prints it: `<type>.<name>`. */
  readonly address: string;
  /** The construct path from the resource's metadata, when present. */
  readonly constructPath?: string;
  /** What is wrong. */
  readonly message: string;
  /** What to change. */
  readonly fix: string;
}

/** A finding silenced by a suppression declared on the resource. */
export interface SuppressedFinding extends Finding {
  /** The reason given in the suppression. */
  readonly reason: string;
}

/** A suppression that does not (or can no longer) silence anything; it fails the check like a finding. */
export interface StaleSuppression {
  /** The stack the resource is in. */
  readonly stackName: string;
  /** The address of the resource carrying the suppression. */
  readonly address: string;
  /** The construct path of that resource, when present. */
  readonly constructPath?: string;
  /** The suppressed rule id as declared. */
  readonly ruleId: string;
  /** The reason as declared. */
  readonly reason: string;
  /** Why it is stale: it matches no finding, the id is unknown, or the reason is too short. */
  readonly problem: string;
}

/** Where a stack's JSON came from, for report locations. */
export interface StackSource {
  /** The `cdk.tf.json` path relative to the root that was checked, with forward slashes. */
  readonly path: string;
  /** The file's text, used to find the line of a resource. */
  readonly text?: string;
}

/** The input of a stack check. */
export interface StackInput {
  /** The stack name used in findings. */
  readonly stackName: string;
  /** The parsed `cdk.tf.json`. */
  readonly json: unknown;
  /** Where the JSON came from, when it was read from disk. */
  readonly source?: StackSource;
}

/** The outcome of checking one stack. */
export interface StackResult {
  /** The stack name. */
  readonly stackName: string;
  /** The environment the rules were evaluated for. */
  readonly environment: StackEnvironment;
  /** Where the stack's JSON came from, when known. */
  readonly source?: StackSource;
  /** How many managed resources the stack has. */
  readonly resourceCount: number;
  /** Unsuppressed findings, sorted by address then rule id. */
  readonly findings: readonly Finding[];
  /** Findings silenced by a valid suppression. */
  readonly suppressed: readonly SuppressedFinding[];
  /** Suppressions that silence nothing or are invalid. */
  readonly stale: readonly StaleSuppression[];
}

/** The outcome of checking several stacks. */
export interface GuardrailsReport {
  /** One result per stack, in input order. */
  readonly stacks: readonly StackResult[];
  /** True when no stack has an unsuppressed finding or a stale suppression. */
  readonly passed: boolean;
}
