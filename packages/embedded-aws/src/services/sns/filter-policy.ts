import { invalidParameter } from './errors';

/** A subscription filter policy on message attributes: attribute name → the values any of which it takes. */
export type FilterPolicy = Readonly<Record<string, readonly string[]>>;

/**
 * Reads a `FilterPolicy` subscription attribute. The embedded SNS supports the policies of
 * `FilterPolicyScope` `MessageAttributes` made of exact string matches (`{"kind": ["a", "b"]}`),
 * the form fledge's stack writes; anything else is refused with InvalidParameter, as AWS refuses
 * a malformed policy.
 */
export function parseFilterPolicy(text: string): FilterPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter('FilterPolicy: failed to parse JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter('FilterPolicy: must be a JSON object');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 5) throw invalidParameter('FilterPolicy: must have 1 to 5 attribute names');
  for (const [name, values] of entries) {
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw invalidParameter(`FilterPolicy: "${name}" must be a non-empty array of strings (the embedded SNS matches exact strings only)`);
    }
  }
  return value as FilterPolicy;
}

/**
 * Whether a message with `attributes` passes `policy`: every attribute the policy names is present
 * and one of its values (for a `String.Array` attribute, any element) is among the policy's.
 */
export function passesFilterPolicy(policy: FilterPolicy, attributes: Readonly<Record<string, { readonly Type: string; readonly Value: string }>>): boolean {
  return Object.entries(policy).every(([name, accepted]) => {
    const attribute = attributes[name];
    if (!attribute) return false;
    let values: unknown[] = [attribute.Value];
    if (attribute.Type === 'String.Array') {
      try {
        const parsed: unknown = JSON.parse(attribute.Value);
        values = Array.isArray(parsed) ? parsed : [];
      } catch {
        values = [];
      }
    }
    return values.some((v) => typeof v === 'string' && accepted.includes(v));
  });
}
