/**
 * The shapes of a semantic diff between two synthesized trees: per stack, the entries (resources, data sources,
 * outputs, providers...) added, removed and changed, and the risky changes found among them.
 */
import type { Severity } from '../guardrails/types';
import type { JsonObject } from '../model/values';
import type { ReplacementCertainty } from './resource-facts';

export type { Severity };

/** What Terraform will do with an entry. */
export type Action = 'create' | 'delete' | 'update' | 'replace';

/** The statements a policy document gained and lost, each as compact JSON with sorted keys. */
export interface PolicyChange {
  /** Statements only in the new document. */
  readonly added: readonly string[];
  /** Statements only in the old document. */
  readonly removed: readonly string[];
}

/** The lines a multi-line string (a Helm values document, a script) gained and lost. */
export interface LinesChange {
  /** Lines only in the new value. */
  readonly added: readonly string[];
  /** Lines only in the old value. */
  readonly removed: readonly string[];
}

/** One changed attribute. `before` or `after` is undefined when the attribute is absent on that side. */
export interface AttributeChange {
  /** Dotted path, with list indices and quoted keys: `spec.ingress[1].from[0].ip_block.cidr`. */
  readonly path: string;
  /** The old value; undefined when the attribute was absent. */
  readonly before?: unknown;
  /** The new value; undefined when the attribute is absent now. */
  readonly after?: unknown;
  /** Set when this attribute forces (`yes`) or may force (`may`) Terraform to replace the resource. */
  readonly forcesReplacement?: ReplacementCertainty;
  /** Set when both sides are IAM policy documents: the statements added and removed. */
  readonly policy?: PolicyChange;
  /** Set when both sides are multi-line strings: the lines added and removed. */
  readonly lines?: LinesChange;
  /**
   * Set when the attribute's configuration is unchanged but what it references changes (propagate.ts): the
   * referenced resource (or provider) and why the value changes.
   */
  readonly propagated?: { readonly from: string; readonly because: string };
}

/** Why Terraform replaces a resource. */
export interface Replacement {
  /** `yes` when Terraform replaces it for sure, `may` when it depends on the provider version or the change. */
  readonly certainty: ReplacementCertainty;
  /** Human-readable reasons: the attributes that force it, or the logical-id move. */
  readonly reasons: readonly string[];
}

/** Which top-level section an entry comes from. */
export type EntryKind = 'resource' | 'data' | 'output' | 'provider' | 'other';

/** One entry of a stack, as compared. */
export interface EntryChange {
  /** Terraform address: `aws_vpc.Network_Vpc_1A2B`, `data.aws_eks_cluster.Cluster`, `output.VpcId`. */
  readonly address: string;
  /** The top-level section the entry comes from. */
  readonly kind: EntryKind;
  /** Resource or data source type; the section name for other entries. */
  readonly type: string;
  /** What Terraform will do with it. */
  readonly action: Action;
  /** The construct path (`"//".metadata.path`) of the entry after the change, or before it for a removal. */
  readonly constructPath?: string;
  /** The construct path before the change, when it differs. */
  readonly previousConstructPath?: string;
  /** The address it had before, when the resource moved to a new logical id. */
  readonly movedFrom?: string;
  /** True when a `moved` block maps `movedFrom` to this address (so Terraform updates in place). */
  readonly movedByBlock?: boolean;
  /** Why Terraform replaces (or may replace) it; absent for an in-place update. */
  readonly replacement?: Replacement;
  /**
   * Set when the entry changes only because of what it references: the addresses from the first changed
   * resource (or provider) to the one this entry references, in order.
   */
  readonly causedBy?: readonly string[];
  /** Changed attributes; empty for creations and removals. */
  readonly attributes: readonly AttributeChange[];
  /** The body before the change (without `"//".metadata`); not part of the JSON report. */
  readonly before?: JsonObject;
  /** The body after the change (without `"//".metadata`); not part of the JSON report. */
  readonly after?: JsonObject;
}

/** Whether a stack exists on both sides. */
export type StackStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** The comparison of one stack. */
export interface StackDiff {
  /** The stack name. */
  readonly stack: string;
  /** Whether the stack is new, gone, changed or unchanged. */
  readonly status: StackStatus;
  /** Managed resources before and after. */
  readonly resources: { readonly before: number; readonly after: number };
  /** Changed entries sorted by address. */
  readonly changes: readonly EntryChange[];
  /** With `--plan`: Terraform's exact plan of the stack, or why it could not be planned. */
  readonly exact?: ExactStack;
  /** With `--plan`, when the stack was planned: how the semantic diff compares with the plan. */
  readonly agreement?: Agreement;
}

/** The risk categories, in the order the report presents them. */
export const RISK_CATEGORIES = [
  'stateful-identity',
  'protection-lowered',
  'network-widened',
  'iam-widened',
  'public-exposure',
  'suppression-added',
] as const;

/** A kind of risky change. */
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

/** A risky change: what a reviewer must look at before approving. */
export interface RiskFinding {
  /** How bad it is: critical, high, medium or low. */
  readonly severity: Severity;
  /** Which rule family found it. */
  readonly category: RiskCategory;
  /** The stack the resource is in. */
  readonly stack: string;
  /** The resource address (after the change; before it for a removal). */
  readonly address: string;
  /** The construct path of the resource, when known. */
  readonly constructPath?: string;
  /** What changed and why it is risky. */
  readonly message: string;
  /** The old value, rendered for people (absent when there was none). */
  readonly before?: string;
  /** The new value, rendered for people (absent when there is none). */
  readonly after?: string;
}

/** The whole comparison. */
export interface DiffReport {
  /** What the base is, e.g. `HEAD (740df72)` or a folder. */
  readonly before: string;
  /** What the change is, e.g. `working tree` or a folder. */
  readonly after: string;
  /** Every stack on either side, sorted by name. */
  readonly stacks: readonly StackDiff[];
  /** Risky changes sorted by stack, severity, address. */
  readonly findings: readonly RiskFinding[];
}

/** What Terraform plans for one resource, in the diff's words. */
export type ExactAction = 'create' | 'update' | 'replace' | 'delete' | 'move';

/** One resource Terraform plans to change. */
export interface ExactChange {
  /** The address after the change. */
  readonly address: string;
  /** The address before, when Terraform moves it (a `moved` block). */
  readonly previousAddress?: string;
  /** Create, update in place, replace, delete, or move without a change. */
  readonly action: ExactAction;
  /** The attribute paths that force the replacement (`replace_paths`), dotted. */
  readonly replacePaths: readonly string[];
}

/** The counts of a plan, as Terraform's summary line gives them (moves apart). */
export interface ExactCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly move: number;
}

/** The exact plan of one stack, or why there is none. */
export type ExactStack =
  | {
      readonly status: 'planned' | 'uncertain';
      /** Every resource Terraform plans to change, by address. */
      readonly changes: readonly ExactChange[];
      readonly counts: ExactCounts;
      /** What the unchanged base still plans to change after the last round (empty when converged). */
      readonly residue: readonly string[];
      /** Rounds the base state needed (0 when it came from the cache). */
      readonly rounds: number;
      /** Whether the base state came from the cache. */
      readonly cached: boolean;
      /** Wall-clock seconds for this stack (init, base state, plan). */
      readonly seconds: number;
      /** Addresses the plan replaces that have `lifecycle.prevent_destroy`: a real plan would refuse. */
      readonly refused: readonly string[];
    }
  | { readonly status: 'unavailable'; readonly reason: string; readonly seconds: number };

/** How the semantic diff compares with Terraform's plan on one stack. */
export interface Agreement {
  /** Resources Terraform destroys (replace or delete) that the semantic diff also destroys. */
  readonly truePositives: number;
  /** Resources the semantic diff destroys that Terraform does not. */
  readonly falsePositives: number;
  /** Resources Terraform destroys that the semantic diff does not. */
  readonly falseNegatives: number;
  /** Every resource whose action differs: `address: diff says update, Terraform plans replace`. */
  readonly disagreements: readonly string[];
}
