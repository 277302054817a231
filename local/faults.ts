import type { FaultInjector, FaultRule } from './types';

/** In-memory fault rules, consumed first-match-first by the services' operations. */
export function createFaultInjector(): FaultInjector {
  let rules: FaultRule[] = [];
  return {
    add({ count, ...rule }) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer, got ${String(count)}`);
      rules.push({ ...rule, remaining: count });
    },
    take(service, operation) {
      const rule = rules.find((r) => r.service === service && (r.operation === '*' || r.operation === operation));
      if (!rule) return undefined;
      rule.remaining -= 1;
      if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
      return rule;
    },
    clear() {
      rules = [];
    },
    list: () => rules,
  };
}
