import type { SignalFields } from './signals';
import type { WebhooksSpec } from './webhooks';
import type { GitHubSource } from './notification';

/**
 * The deployment spec after parsing, validation and normalisation: what the planner and the
 * engine consume. Users write the YAML/JSON form documented in docs/spec.md; presets and
 * shorthand are resolved here, durations are whole seconds, percentages are 0–100.
 */

/** A duration in whole seconds. */
export type Seconds = number;

export interface FunctionRef {
  /** The function name as Lambda knows it (derived from the ARN when an ARN was given). */
  readonly name: string;
  /** The full ARN when the spec named the function by ARN. */
  readonly arn?: string;
  readonly region?: string;
  readonly accountId?: string;
}

export type ArtifactSpec =
  | {
      readonly kind: 'zip';
      /** Undefined when the key is relative to the spec's own S3 folder (resolved at trigger time). */
      readonly bucket?: string;
      readonly key: string;
      readonly versionId?: string;
    }
  | { readonly kind: 'image'; readonly imageUri: string }
  /**
   * Adoption: shift traffic to a version another tool (SAM, CDK, Terraform, the Serverless
   * Framework) already published. fledge changes no code, no configuration, publishes nothing.
   * `version` is a numbered version; `fromLatest` resolves, when the deployment starts, to the
   * highest numbered version the function has.
   */
  | { readonly kind: 'published'; readonly version: string }
  | { readonly kind: 'fromLatest' };

export interface FunctionConfigurationSpec {
  readonly runtime?: string;
  readonly handler?: string;
  readonly memorySize?: number;
  readonly timeout?: Seconds;
  readonly role?: string;
  /** Where Lambda sends asynchronous invocations that failed: an SQS queue or SNS topic ARN. */
  readonly deadLetterTarget?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly architectures?: readonly ('x86_64' | 'arm64')[];
  readonly layers?: readonly string[];
}

/** One step of traffic movement, as the engine walks them. */
export type TrafficStep =
  | { readonly type: 'setWeight'; readonly percent: number }
  | { readonly type: 'pause'; readonly duration: Seconds }
  | { readonly type: 'approval'; readonly timeout: Seconds; readonly message?: string };

export type StrategySpec =
  /** `preset` records the CodeDeploy name it came from, canonical form (e.g. `Canary10Percent5Minutes`). */
  | { readonly kind: 'canary'; readonly steps: readonly TrafficStep[]; readonly preset?: string }
  | { readonly kind: 'linear'; readonly percent: number; readonly interval: Seconds; readonly preset?: string }
  | { readonly kind: 'allAtOnce'; readonly preset?: string }
  /** Smoke test the new version (required), then move 100% at once. */
  | { readonly kind: 'blueGreen' };

/** What a smoke-test invoke must return to pass. No expectation: it passes when the function did not error. */
export type SmokeExpectation =
  | { readonly match: 'exact'; readonly value: unknown }
  | { readonly match: 'subset'; readonly value: unknown };

/**
 * What happens when a pause ends before the new version served `minInvocations`: never a
 * promotion. `extend` lengthens the pause one check interval at a time, up to `maxExtension`
 * (undefined: as long as the pause itself) and the time the deployment's timeout leaves, then
 * does `then`; `pause` asks a person (an approval); `rollback` rolls back.
 */
export type InsufficientDataPolicy =
  | { readonly action: 'extend'; readonly maxExtension?: Seconds; readonly then: 'pause' | 'rollback' }
  | { readonly action: 'pause' }
  | { readonly action: 'rollback' };

/** The health rules; the signal fields (latency, baseline, metrics, failureLimit, …) are in signals.ts. */
export interface HealthSpec extends SignalFields {
  /** Existing CloudWatch alarm names; any of them in ALARM fails a check. */
  readonly alarms: readonly string[];
  /**
   * Judge only the new version: fledge creates an error-rate alarm on its ExecutedVersion.
   * `minInvocations` is the rate's noise floor: below it, a window's rate is not judged.
   */
  readonly errorRate?: { readonly thresholdPercent: number; readonly minInvocations: number };
  /** How often health is checked while traffic is on the new version. */
  readonly checkInterval: Seconds;
  /**
   * How often health is checked while the event-driven abort is armed — alarms gate the deployment
   * (`alarms` or `errorRate`), so an alarm going to ALARM rolls back at once and the checks are
   * only the durable path: a long pause can be checked sparsely. At least `checkInterval`; each
   * pause still gets a check at its end. Unset: `checkInterval` (a v1 spec keeps its meaning).
   */
  readonly armedCheckInterval?: Seconds;
  /** Invoked on the new version before any traffic moves. */
  readonly smokeTest?: { readonly payload: unknown; readonly expect?: SmokeExpectation };
  /**
   * The evidence each pause needs before traffic moves on: invocations of the new version
   * through the alias during the pause. 0: none (the pause is only a timed wait).
   */
  readonly minInvocations: number;
  /** What a pause that ends with fewer invocations does. */
  readonly onInsufficientData: InsufficientDataPolicy;
}

/**
 * One place a spec deploys to: an account and region, reached by assuming `roleArn` there (with
 * `externalId` when the role's trust policy demands one). Its deployment starts once every target
 * it `dependsOn` has succeeded (docs/spec.md#targets-and-rollbackpromotedwaves).
 */
export interface TargetSpec {
  /** Unique in the spec: 1–32 of a-z, 0-9, "-" (how people, the history and `dependsOn` name it). */
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;
  readonly externalId?: string;
  /** Ids of the targets that must have succeeded first; empty for the first wave. */
  readonly dependsOn: readonly string[];
}

export interface DeploymentSpec {
  readonly version: 1;
  readonly function: FunctionRef;
  /** Created on the first deployment. */
  readonly alias: string;
  readonly artifact: ArtifactSpec;
  /** Applied to $LATEST before publishing. */
  readonly configuration?: FunctionConfigurationSpec;
  readonly strategy: StrategySpec;
  readonly health: HealthSpec;
  /** Function names (or ARNs) invoked with the deployment's facts; a failure rolls back. */
  readonly hooks: { readonly beforeTraffic?: string; readonly afterTraffic?: string };
  /** HTTP(S) calls whose answer gates the deployment at named points (webhooks.ts); absent when the spec has none. */
  readonly webhooks?: WebhooksSpec;
  /** Defaults for approval steps. */
  readonly approval: { readonly timeout: Seconds; readonly message?: string };
  /** The whole deployment's limit; exceeding it rolls back. Default 30 minutes. */
  readonly timeout: Seconds;
  /**
   * Seconds to keep watching after all traffic moved to the new version (the alias whole on it),
   * with the same checks as a pause; trouble in that window rolls back to the old version, and the
   * deployment SUCCEEDS only after it. Absent: none (SUCCEEDED at 100%).
   */
  readonly finalBake?: Seconds;
  readonly cleanup?: {
    readonly keepVersions: number;
    /**
     * Seconds after a deployment of the function SUCCEEDED during which the version it left stays
     * (and the versions a `fledge rollback` moved between): the undo window. Default one day;
     * absent on specs normalised before it existed (the default applies).
     */
    readonly undoWindow?: Seconds;
  };
  /**
   * Where the code comes from, as the CI integration says it: with `github`, fledge reports the
   * deployment to that repository's GitHub deployments (docs/events.md#github-deployment-status).
   */
  readonly source?: { readonly github?: GitHubSource };
  /**
   * What fledge does about callers that bypass the alias (an event source mapping, a permission or a
   * function URL on `$LATEST`, the unqualified function or a version): `warn` records them in the
   * history, `strict` refuses the deployment before anything changes. Absent: `warn`.
   */
  readonly callers?: 'warn' | 'strict';
  /** How long PreTraffic waits for the new version to be Active (SnapStart snapshots, images). Absent: 10 minutes. */
  readonly readiness?: { readonly timeout: Seconds };
  /**
   * Provisioned-concurrency-aware shifting (docs/spec.md#provisioned-concurrency): `auto` (also
   * when absent) manages PC when the alias's version has PC of its own; a number is the PC the new
   * version gets at 100%, allocated in proportion to each weight before it moves; `off` never.
   */
  readonly provisionedConcurrency?: 'auto' | 'off' | number;
  /**
   * A function group: several functions released as one deployment (docs/spec.md#groups). Absent
   * for a single function. `members[0]` is always the spec's own `function`, `alias`, `artifact`
   * and `configuration`.
   */
  readonly group?: GroupSpec;
  /**
   * What a deployment does when another one holds its alias (docs/spec.md#onconflict): absent,
   * it is refused (`reject`, as always); `enqueue` waits for that one to end, then starts;
   * `supersede` rolls that one back, then starts.
   */
  readonly onConflict?: 'enqueue' | 'supersede';
  /**
   * Where to deploy, in waves: absent, the function in fledge's own account and region. With
   * targets, each target's deployment is an ordinary deployment of this spec, run with the
   * target's credentials, started when the targets it depends on succeeded.
   */
  readonly targets?: readonly TargetSpec[];
  /**
   * With targets: whether targets already promoted are rolled back (to the version they served
   * before) when a later wave fails. Default true.
   */
  readonly rollbackPromotedWaves?: boolean;
}

/**
 * How the members of a group move: `lockstep`, all at the same weight at each step; `ordered`, one
 * after another in the declared order, each walking the whole strategy to 100% while the later
 * ones stay at 0% (docs/spec.md#group).
 */
export type GroupShift = 'lockstep' | 'ordered';

/** One function of a group, with the alias it moves, its artifact and optional configuration. */
export interface GroupMemberSpec {
  readonly function: FunctionRef;
  readonly alias: string;
  readonly artifact: ArtifactSpec;
  readonly configuration?: FunctionConfigurationSpec;
}

/** The functions that move and roll back together. */
export interface GroupSpec {
  readonly shift: GroupShift;
  /** Every member, the spec's own function first; 2 to `LIMITS.maxGroupMembers`. */
  readonly members: readonly GroupMemberSpec[];
}

/** One segment of a path into the spec: a mapping key or a list index. */
export type PathSegment = string | number;

/** One thing wrong with a spec, located so a person can fix it without hunting. */
export interface SpecProblem {
  /** Where in the spec, e.g. `strategy.canary.steps[2].setWeight`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source file. */
  readonly line: number;
  /** 1-based column in the source file. */
  readonly column: number;
  /** A likely intended value, e.g. the known key closest to an unknown one. */
  readonly suggestion?: string;
}
