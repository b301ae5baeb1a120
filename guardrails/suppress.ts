import type { TerraformResource } from 'cdktf';
import { MIN_REASON_LENGTH } from './engine';
import { findRule } from './rule-pack';
import type { DeclaredSuppression } from '../model/stack-model';
import { isObject } from '../model/values';

const METADATA_KEY = '//';

/** The suppressions already recorded on a resource (its synthesized `"//".suppressions`). */
function recorded(resource: TerraformResource): DeclaredSuppression[] {
  const synthesized: unknown = resource.toTerraform();
  const body =
    isObject(synthesized) && isObject(synthesized.resource)
      ? synthesized.resource[resource.terraformResourceType]
      : undefined;
  const attributes = isObject(body) ? body[resource.friendlyUniqueId] : undefined;
  const meta = isObject(attributes) ? attributes[METADATA_KEY] : undefined;
  const list = isObject(meta) && Array.isArray(meta.suppressions) ? meta.suppressions : [];
  return list.filter(isObject).map((entry) => ({ id: String(entry.id), reason: String(entry.reason) }));
}

/**
 * Suppresses a guardrails rule on one resource, next to the construct that creates it.
 *
 * The suppression is written into the synthesized resource as `"//": { "suppressions": [{ "id", "reason" }] }`
 * (alongside cdktf's `"//".metadata`), so reviewers and other scanners see it in `cdk.tf.json`; repeated calls
 * accumulate. The engine reports a suppression that silences nothing as stale, which fails the check.
 *
 * @param resource the L1 resource the finding is about (e.g. a construct's escape hatch)
 * @param ruleId a rule id of the pack (see docs/guardrails.md)
 * @param reason why the rule does not apply here; at least 10 characters after trimming
 * @throws Error naming the construct path, rule id and reason when the id is unknown, the reason too short, or the
 *   rule is already suppressed on the resource
 */
export function suppress(resource: TerraformResource, ruleId: string, reason: string): void {
  const where = resource.node.path;
  if (!findRule(ruleId)) {
    throw new Error(
      `${where}: cannot suppress "${ruleId}" (reason: ${JSON.stringify(reason)}): it is not a guardrails rule id; see docs/guardrails.md for the rules`,
    );
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `${where}: suppression of ${ruleId} needs a reason of at least ${MIN_REASON_LENGTH} characters saying why the rule does not apply, got ${JSON.stringify(reason)}`,
    );
  }
  const existing = recorded(resource);
  if (existing.some((entry) => entry.id === ruleId)) {
    throw new Error(
      `${where}: ${ruleId} is already suppressed on this resource (new reason: ${JSON.stringify(reason)})`,
    );
  }
  resource.addOverride(`${METADATA_KEY}.suppressions`, [...existing, { id: ruleId, reason: reason.trim() }]);
}
