/**
 * Spreads changes through references, as Terraform's plan does. A resource whose own configuration is unchanged
 * still changes when an attribute it references (`${aws_kms_key.Key.arn}`) changes:
 *
 * - the referenced resource is replaced: its computed attributes (ids, ARNs, endpoints: anything its
 *   configuration does not set) become unknown;
 * - the referenced attribute is set in configuration and its value changed: the new value is known;
 * - the referenced resource is updated in place and the attribute is recomputed on every update
 *   ({@link RECOMPUTED_ON_UPDATE}, such as a launch template's `latest_version`): it becomes unknown.
 *
 * Where the referencing attribute forces replacement (resource-facts.ts), the referencing resource is replaced
 * too, and so on until nothing more changes; otherwise it is updated in place. Every propagated change carries
 * its cause chain. A provider's changed `default_tags` update the `tags_all` of every taggable resource of that
 * provider configuration whose merged tags change.
 */
import taggable from '../guardrails/aws-taggable-resources.json';
import type { JsonObject } from '../model/values';
import { isObject } from '../model/values';
import { canonical, childPath, schemaPath } from './attributes';
import type { AttributeChange, EntryChange, StackDiff } from './model';
import { forcingCertainty } from './resource-facts';

/** Attributes the provider recomputes on every in-place update of the resource (so they are unknown in the plan). */
export const RECOMPUTED_ON_UPDATE: Readonly<Record<string, readonly string[]>> = {
  // Every update of a launch template creates a new version.
  aws_launch_template: ['latest_version'],
};

/** The value shown for an attribute Terraform only knows after the apply. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

const TAGGABLE: ReadonlySet<string> = new Set(taggable.resourceTypes);

/** One reference of a resource body to another resource's attribute. */
export interface Reference {
  /** The attribute of the referencing resource that holds the reference, e.g. `vpc_config.subnet_ids[1]`. */
  readonly path: string;
  /** The referenced resource's address. */
  readonly target: string;
  /** The referenced attribute (its first step), e.g. `arn`. */
  readonly attribute: string;
}

const INTERPOLATION = /\$\{([^}]*)\}/g;
const TRAVERSAL =
  /(?<![\w.])([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\]|\.\*)*\.([a-z_][a-z0-9_]*)/g;

/** Every reference to a resource of `resourceTypes` in a body, with the attribute path that holds it. */
export function referencesOf(body: unknown, resourceTypes: ReadonlySet<string>, path = ''): Reference[] {
  if (typeof body === 'string') {
    const found: Reference[] = [];
    for (const [, expression] of body.matchAll(INTERPOLATION)) {
      for (const [, type, name, attribute] of expression.matchAll(TRAVERSAL)) {
        if (resourceTypes.has(type)) found.push({ path, target: `${type}.${name}`, attribute });
      }
    }
    return found;
  }
  if (Array.isArray(body))
    return body.flatMap((item, index) => referencesOf(item, resourceTypes, `${path}[${index}]`));
  if (isObject(body)) {
    return Object.entries(body)
      .filter(([key]) => key !== '//' && key !== 'depends_on' && key !== 'lifecycle' && key !== 'provider')
      .flatMap(([key, value]) => referencesOf(value, resourceTypes, childPath(path, key)));
  }
  return [];
}

/** True when `path` (indices removed) is `attribute` or inside it. */
function within(path: string, attribute: string): boolean {
  const bare = schemaPath(path);
  return bare === attribute || bare.startsWith(`${attribute}.`) || bare.startsWith(`${attribute}[`);
}

type Mutable = { -readonly [K in keyof EntryChange]: EntryChange[K] };

/** What a reference to a changed resource does to the referencing attribute, if anything. */
function effectOf(target: EntryChange, attribute: string): { value: unknown; because: string } | undefined {
  const configured = target.after?.[attribute];
  const changed = target.attributes.find((change) => within(change.path, attribute));
  if (target.action === 'replace' && (configured === undefined || changed?.after === KNOWN_AFTER_APPLY)) {
    return { value: KNOWN_AFTER_APPLY, because: `${target.address} is replaced` };
  }
  if (changed) {
    const unknown = changed.after === KNOWN_AFTER_APPLY;
    return {
      value: unknown ? KNOWN_AFTER_APPLY : (configured ?? null),
      because: `${target.address}.${attribute} ${unknown ? 'becomes unknown' : 'changes'}`,
    };
  }
  if (target.action === 'update' && RECOMPUTED_ON_UPDATE[target.type]?.includes(attribute)) {
    return { value: KNOWN_AFTER_APPLY, because: `${target.address} is updated (${attribute} is recomputed)` };
  }
  return undefined;
}

function emptyChange(address: string, type: string, body: JsonObject, constructPath?: string): Mutable {
  return {
    address,
    kind: 'resource',
    type,
    action: 'update',
    constructPath,
    attributes: [],
    before: body,
    after: body,
  };
}

function addAttribute(change: Mutable, attribute: AttributeChange): boolean {
  if (change.attributes.some((existing) => existing.path === attribute.path)) return false;
  change.attributes = [...change.attributes, attribute];
  return true;
}

/** The provider configuration key of a resource (`aws`, `aws.backup_region`). */
function providerKey(type: string, body: JsonObject): string {
  return typeof body.provider === 'string' ? body.provider : type.split('_')[0];
}

function defaultTags(providers: unknown, key: string): Record<string, unknown> | undefined {
  const alias = key.split('.')[1];
  const list = Array.isArray(providers) ? providers : providers ? [providers] : [];
  const block = list.filter(isObject).find((candidate) => (candidate.alias ?? undefined) === alias);
  const tags = block?.default_tags;
  const first = Array.isArray(tags) ? tags[0] : tags;
  return isObject(first) && isObject(first.tags) ? first.tags : {};
}

/** Resources whose `tags_all` changes because their provider's `default_tags` changed. */
function defaultTagChanges(
  before: JsonObject,
  after: JsonObject,
  resources: Map<string, { type: string; body: JsonObject; constructPath?: string }>,
): { address: string; before: unknown; after: unknown; provider: string }[] {
  const providersBefore = isObject(before.provider) ? before.provider : {};
  const providersAfter = isObject(after.provider) ? after.provider : {};
  const found: { address: string; before: unknown; after: unknown; provider: string }[] = [];
  for (const [address, { type, body }] of resources) {
    if (!TAGGABLE.has(type)) continue;
    const key = providerKey(type, body);
    const name = key.split('.')[0];
    const tagsBefore = defaultTags(providersBefore[name], key);
    const tagsAfter = defaultTags(providersAfter[name], key);
    if (canonical(tagsBefore) === canonical(tagsAfter)) continue;
    const own = isObject(body.tags) ? body.tags : {};
    const mergedBefore = { ...tagsBefore, ...own };
    const mergedAfter = { ...tagsAfter, ...own };
    if (canonical(mergedBefore) !== canonical(mergedAfter))
      found.push({ address, before: mergedBefore, after: mergedAfter, provider: `provider.${name}` });
  }
  return found;
}

function resourcesOf(
  stack: JsonObject,
): Map<string, { type: string; body: JsonObject; constructPath?: string }> {
  const found = new Map<string, { type: string; body: JsonObject; constructPath?: string }>();
  const sections = isObject(stack.resource) ? stack.resource : {};
  for (const [type, byName] of Object.entries(sections)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) continue;
      const meta = isObject(body['//']) && isObject(body['//'].metadata) ? body['//'].metadata : {};
      const { '//': _meta, ...attributes } = body;
      found.set(`${type}.${name}`, {
        type,
        body: attributes,
        constructPath: typeof meta.path === 'string' ? meta.path : undefined,
      });
    }
  }
  return found;
}

/**
 * The stack diff with every change that spreads through references and `default_tags` added, each with its
 * cause chain (`causedBy`, the addresses from the first changed resource to this one).
 */
export function propagate(diff: StackDiff, before?: JsonObject, after?: JsonObject): StackDiff {
  if (!before || !after || diff.changes.length === 0) return diff;
  const resources = resourcesOf(after);
  const changes = new Map<string, Mutable>(diff.changes.map((change) => [change.address, { ...change }]));
  const touched = new Set<string>();
  /** Changes this pass created: they exist only because of what they reference. */
  const propagatedOnly = new Set<string>();
  const touch = (address: string): Mutable | undefined => {
    let change = changes.get(address);
    if (change && (change.action === 'create' || change.action === 'delete')) return undefined;
    if (!change) {
      const resource = resources.get(address);
      if (!resource) return undefined;
      change = emptyChange(address, resource.type, resource.body, resource.constructPath);
      changes.set(address, change);
      propagatedOnly.add(address);
    }
    touched.add(address);
    return change;
  };

  for (const tagged of defaultTagChanges(before, after, resources)) {
    const change = touch(tagged.address);
    if (!change) continue;
    const because = `${tagged.provider} default_tags change`;
    addAttribute(change, {
      path: 'tags_all',
      before: tagged.before,
      after: tagged.after,
      propagated: { from: tagged.provider, because },
    });
    if (propagatedOnly.has(tagged.address)) change.causedBy ??= [tagged.provider];
  }

  const types = new Set([...resources.values()].map((resource) => resource.type));
  const references = [...resources].map(([address, { body }]) => ({
    address,
    refs: referencesOf(body, types),
  }));
  for (let changed = true; changed;) {
    changed = false;
    for (const { address, refs } of references) {
      for (const ref of refs) {
        const target = changes.get(ref.target);
        if (!target || target.kind !== 'resource' || ref.target === address) continue;
        if (target.action === 'create' || target.action === 'delete') continue;
        const effect = effectOf(target, ref.attribute);
        if (!effect) continue;
        const change = touch(address);
        if (!change) continue;
        const certainty = forcingCertainty(change.type, schemaPath(ref.path));
        const added = addAttribute(change, {
          path: ref.path,
          before: `\${${ref.target}.${ref.attribute}}`,
          after: effect.value,
          ...(certainty ? { forcesReplacement: certainty } : {}),
          propagated: { from: ref.target, because: effect.because },
        });
        if (!added) continue;
        changed = true;
        const chain = [...(target.causedBy ?? []), ref.target];
        // The chain that explains the entry: the first one found, or the one that makes it a replacement.
        const replacesNow = certainty === 'yes' && change.action !== 'replace';
        if ((propagatedOnly.has(address) && !change.causedBy) || replacesNow) change.causedBy = chain;
        const forces = `${schemaPath(ref.path)} ${certainty === 'yes' ? 'forces' : 'may force'} replacement`;
        const reason = `${certainty === 'yes' ? 'replaced' : 'may be replaced'} because ${effect.because}; ${forces}`;
        if (certainty === 'yes') {
          const kept = change.action === 'replace' ? (change.replacement?.reasons ?? []) : [];
          change.replacement = { certainty: 'yes', reasons: [...kept, reason] };
          change.action = 'replace';
        } else if (certainty === 'may' && change.action !== 'replace') {
          change.replacement = {
            certainty: 'may',
            reasons: [...(change.replacement?.reasons ?? []), reason],
          };
        }
      }
    }
  }
  if (touched.size === 0) return diff;
  const all = [...changes.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  return { ...diff, status: diff.status === 'unchanged' ? 'changed' : diff.status, changes: all };
}
