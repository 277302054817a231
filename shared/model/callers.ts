/**
 * Who invokes a function besides the callers that go through its alias on their own: event source
 * mappings, services and accounts allowed by its resource-based policy, and function URLs. A
 * caller bound to `$LATEST`, to the unqualified function or to a version never reaches the alias,
 * so a canary on the alias never sees its traffic (docs/engine.md, "Callers that bypass the alias").
 */

/** How a caller is bound to the function. */
export type CallerKind = 'eventSourceMapping' | 'permission' | 'functionUrl';

/** One caller of a function, as Lambda describes it. */
export interface FunctionCaller {
  readonly kind: CallerKind;
  /** What names it at Lambda: the mapping's UUID, the policy statement's Sid, the function URL. */
  readonly id: string;
  /** The qualifier it invokes (`$LATEST`, a version, an alias); absent: the unqualified function. */
  readonly qualifier?: string;
  /** Where its calls come from: the event source ARN, or the principal allowed (with its source ARN when the statement names one); the URL for a function URL. */
  readonly source: string;
}

/** A caller that does not go through the alias, and why. */
export interface BypassingCaller {
  readonly caller: FunctionCaller;
  /** What it invokes instead of the alias: `$LATEST`, `the unqualified function ($LATEST)`, `version 3`. */
  readonly target: string;
}

/** What the audit of a function's callers found, as Prepare records it and `fledge plan` prints it. */
export interface CallerAudit {
  readonly callers: readonly FunctionCaller[];
  readonly bypassing: readonly BypassingCaller[];
  /** Versions whose policies were not read (only the newest ones are). */
  readonly versionsNotChecked: number;
}

/** What `caller` invokes instead of `alias`, or `undefined` when it goes through an alias. */
export function bypassTarget(caller: FunctionCaller): string | undefined {
  const q = caller.qualifier;
  if (q === undefined) return 'the unqualified function ($LATEST)';
  if (q === '$LATEST') return '$LATEST';
  if (/^\d+$/.test(q)) return `version ${q}`;
  return undefined;
}

/** The callers of `callers` that do not invoke an alias. A caller on another alias is not one of them: it is another alias's traffic. */
export function bypassingCallers(callers: readonly FunctionCaller[]): BypassingCaller[] {
  return callers.flatMap((caller) => {
    const target = bypassTarget(caller);
    return target === undefined ? [] : [{ caller, target }];
  });
}

/** One line naming a caller: `event source mapping 6f1c… from arn:aws:sqs:…:orders`. */
export function describeCaller(caller: FunctionCaller): string {
  switch (caller.kind) {
    case 'eventSourceMapping':
      return `event source mapping ${caller.id} from ${caller.source}`;
    case 'permission':
      return `permission ${caller.id} for ${caller.source}`;
    case 'functionUrl':
      return `function URL ${caller.source}`;
  }
}

/** One line naming a bypassing caller and what it invokes. */
export function describeBypass(bypass: BypassingCaller, functionName: string, alias: string): string {
  return `${describeCaller(bypass.caller)} invokes ${functionName} through ${bypass.target}, not alias ${alias}`;
}
