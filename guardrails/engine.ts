import { findRule, RULES } from './rule-pack';
import type { DeclaredSuppression, ResourceNode } from '../model/stack-model';
import { StackModel } from '../model/stack-model';
import type {
  Finding,
  GuardrailsReport,
  Rule,
  StackInput,
  StackResult,
  StaleSuppression,
  SuppressedFinding,
} from './types';

/** The shortest reason a suppression may give (after trimming). */
export const MIN_REASON_LENGTH = 10;

function rulesByType(rules: readonly Rule[]): Map<string, Rule[]> {
  const map = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const type of rule.resourceTypes) map.set(type, [...(map.get(type) ?? []), rule]);
  }
  return map;
}

const RULES_BY_TYPE = rulesByType(RULES);

function evaluate(resource: ResourceNode, stack: StackModel, rules: readonly Rule[]): Finding[] {
  const production = stack.environment.production;
  return rules
    .filter((rule) => production || !rule.productionOnly)
    .flatMap((rule) =>
      rule.check(resource, { stack, production }).map((violation) => ({
        ruleId: rule.id,
        severity: rule.severity,
        stackName: stack.stackName,
        address: resource.address,
        constructPath: resource.constructPath,
        message: violation.message,
        fix: violation.fix ?? rule.fix,
      })),
    );
}

/**
 * Why a suppression is stale, or undefined when it is in use. A production-only rule does not run in other
 * environments, so its suppressions are not stale there (the same construct serves every environment).
 */
function staleProblem(
  suppression: DeclaredSuppression,
  resource: ResourceNode,
  used: boolean,
  stack: StackModel,
): string | undefined {
  const rule = findRule(suppression.id);
  if (!rule) return `"${suppression.id}" is not a guardrails rule id`;
  if (suppression.reason.trim().length < MIN_REASON_LENGTH)
    return `the reason is shorter than ${MIN_REASON_LENGTH} characters`;
  if (!rule.resourceTypes.includes(resource.type))
    return `${rule.id} does not check ${resource.type} resources; remove the suppression`;
  if (used || (rule.productionOnly && !stack.environment.production)) return undefined;
  return `${rule.id} reports nothing on this resource any more; remove the suppression`;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.address.localeCompare(b.address) ||
    a.ruleId.localeCompare(b.ruleId, 'en', { numeric: true }) ||
    a.message.localeCompare(b.message)
  );
}

/**
 * Checks one synthesized stack against the rule pack.
 *
 * Every managed resource is checked by the rules for its type; production-only rules run when the stack's
 * `"//".wms.production` is true or the metadata is missing. A finding on a resource that declares a valid
 * suppression for the rule is reported as suppressed; a suppression that matches no finding, names an unknown
 * rule or gives a reason shorter than {@link MIN_REASON_LENGTH} characters is reported as stale.
 */
export function checkStack(input: StackInput): StackResult {
  const stack = new StackModel(input.stackName, input.json);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const stale: StaleSuppression[] = [];

  for (const resource of stack.resources) {
    const raw = evaluate(resource, stack, RULES_BY_TYPE.get(resource.type) ?? []);
    const used = new Set<string>();
    for (const finding of raw) {
      const suppression = resource.suppressions.find(
        (candidate) => candidate.id === finding.ruleId && candidate.reason.trim().length >= MIN_REASON_LENGTH,
      );
      if (suppression) {
        suppressed.push({ ...finding, reason: suppression.reason });
        used.add(suppression.id);
      } else {
        findings.push(finding);
      }
    }
    for (const suppression of resource.suppressions) {
      const problem = staleProblem(suppression, resource, used.has(suppression.id), stack);
      if (problem) {
        stale.push({
          stackName: stack.stackName,
          address: resource.address,
          constructPath: resource.constructPath,
          ruleId: suppression.id,
          reason: suppression.reason,
          problem,
        });
      }
    }
  }

  return {
    stackName: stack.stackName,
    environment: stack.environment,
    source: input.source,
    resourceCount: stack.resources.length,
    findings: findings.sort(compareFindings),
    suppressed: suppressed.sort(compareFindings),
    stale,
  };
}

/** Checks several stacks; the report passes when none has an unsuppressed finding or a stale suppression. */
export function checkStacks(inputs: readonly StackInput[]): GuardrailsReport {
  const stacks = inputs.map((input) => checkStack(input));
  return { stacks, passed: stacks.every((stack) => stack.findings.length === 0 && stack.stale.length === 0) };
}
