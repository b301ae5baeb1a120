/**
 * The semantic diff against the exact plan: the action each side gives every resource, where they disagree, and
 * the recall and precision of the semantic diff's destructive actions (replace, delete).
 */
import type { Agreement, ExactAction, ExactChange, StackDiff } from './model';

/** The action of each managed resource a stack diff changes, by address, in Terraform's terms. */
export function semanticActions(diff: StackDiff): Map<string, ExactAction> {
  const actions = new Map<string, ExactAction>();
  for (const change of diff.changes) {
    if (change.kind !== 'resource') continue;
    if (change.movedFrom && !change.movedByBlock) {
      // Terraform destroys the old address and creates the new one.
      actions.set(change.movedFrom, 'delete');
      actions.set(change.address, 'create');
      continue;
    }
    if (change.movedFrom && change.action === 'update' && change.attributes.length === 0) {
      actions.set(change.address, 'move');
      continue;
    }
    if (
      change.action === 'update' &&
      change.replacement?.certainty !== 'yes' &&
      change.attributes.length === 0
    )
      continue;
    actions.set(change.address, change.action);
  }
  return actions;
}

/** The action of each resource Terraform plans to change, by address. */
export function exactActions(changes: readonly ExactChange[]): Map<string, ExactAction> {
  return new Map(changes.map((change) => [change.address, change.action]));
}

export type { Agreement } from './model';

const DESTRUCTIVE: ReadonlySet<ExactAction> = new Set(['replace', 'delete']);

/** Compares the semantic diff of a stack with Terraform's plan of it. */
export function agreement(diff: StackDiff, exact: readonly ExactChange[]): Agreement {
  const semantic = semanticActions(diff);
  const planned = exactActions(exact);
  const destroyed = (actions: Map<string, ExactAction>) =>
    new Set([...actions].filter(([, action]) => DESTRUCTIVE.has(action)).map(([address]) => address));
  const semanticDestroyed = destroyed(semantic);
  const plannedDestroyed = destroyed(planned);
  const truePositives = [...semanticDestroyed].filter((address) => plannedDestroyed.has(address)).length;
  const disagreements: string[] = [];
  for (const address of [...new Set([...semantic.keys(), ...planned.keys()])].sort()) {
    const ours = semantic.get(address) ?? 'no change';
    const theirs = planned.get(address) ?? 'no change';
    if (ours !== theirs) disagreements.push(`${address}: the diff says ${ours}, Terraform plans ${theirs}`);
  }
  return {
    truePositives,
    falsePositives: semanticDestroyed.size - truePositives,
    falseNegatives: plannedDestroyed.size - truePositives,
    disagreements,
  };
}

/** Recall and precision of summed agreements (1 when there is nothing to find or nothing claimed). */
export function recallPrecision(agreements: readonly Agreement[]): { recall: number; precision: number } {
  const tp = agreements.reduce((sum, a) => sum + a.truePositives, 0);
  const fp = agreements.reduce((sum, a) => sum + a.falsePositives, 0);
  const fn = agreements.reduce((sum, a) => sum + a.falseNegatives, 0);
  return { recall: tp + fn === 0 ? 1 : tp / (tp + fn), precision: tp + fp === 0 ? 1 : tp / (tp + fp) };
}
