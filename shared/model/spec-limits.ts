/**
 * Every limit a deployment spec is held to, in one table: the reader, the schema, the rules, the
 * starters (S3 drop, API) and docs/spec.md all name these, so a limit and its message cannot
 * disagree. Durations are in seconds, sizes in bytes.
 */
export const LIMITS = {
  // --- What the reader accepts (source.ts) ---
  /** Largest spec file: a spec is a few KB, anything near this is a mistake or an attack. */
  maxSpecBytes: 256 * 1024,
  /** Alias expansions a spec may use: generous for real reuse, far below what a "billion laughs" needs. */
  maxAliasCount: 50,
  /**
   * Deepest nesting of mappings and lists, the top-level mapping counting as 1 and aliases
   * expanded. fledge records each deployment with its spec in DynamoDB, which allows 32 levels
   * of nesting in an item; 24 leaves room for the record around the spec.
   */
  maxDepth: 24,

  // --- What the engine can carry (parse.ts) ---
  /** Step Functions' limit on an execution's input and on every state's input and output. */
  stepFunctionsPayloadBytes: 256 * 1024,
  /**
   * The normalised spec plus the traffic steps the engine expands from it, as JSON. The engine's
   * state carries both through every state; the other half of the Step Functions limit is kept
   * for what the engine adds (deployment id, artifact, who started it, and error causes of up to
   * 32 KiB each when a deployment fails and its rollback fails too).
   */
  maxSpecStateBytes: 128 * 1024,

  // --- How problems are reported (parse.ts, problems.ts) ---
  /** Problems listed at once; one more says how many were left out. Keeps refusals small enough to store and send. */
  maxProblems: 50,
  /** Characters of a value or key quoted back in a message. */
  maxQuotedLength: 80,

  // --- Webhooks (webhooks.ts) ---
  /** Webhooks at one point; the ones of a point are called together. */
  maxWebhooksPerPoint: 5,
  minWebhookTimeout: 1,
  maxWebhookTimeout: 30,
  defaultWebhookTimeout: 10,
  maxWebhookRetries: 5,
  defaultWebhookRetries: 2,
  /** Pause between two tries of a webhook. */
  webhookRetryDelay: 1,
  /**
   * The longest one webhook may hold a task: (retries + 1) × timeout plus the pauses between
   * tries. The check task has 120 s in all; this leaves it time for its own work.
   */
  maxWebhookSeconds: 60,
  maxWebhookUrlLength: 2048,
  maxWebhookMetadataEntries: 20,
  /** The metadata's keys and values together, in bytes of UTF-8. */
  maxWebhookMetadataBytes: 2048,

  // --- Function groups (schema.ts) ---
  /** Functions in one group, the spec's own included: each adds Lambda calls to every task of the group's execution. */
  maxGroupMembers: 10,

  // --- Fields (schema.ts, rules.ts) ---
  minCheckInterval: 10,
  maxCheckInterval: 3_600,
  defaultCheckInterval: 60,
  minDeploymentTimeout: 60,
  maxDeploymentTimeout: 7 * 86_400,
  defaultDeploymentTimeout: 30 * 60,
  /**
   * `readiness.timeout`: how long PreTraffic waits for the new version to leave Pending (a
   * SnapStart snapshot, an image). The wait runs inside the PreTraffic task (a 15-minute Lambda),
   * which still needs time for the smoke test and the hook: 10 minutes is both the default and the most.
   */
  minReadinessTimeout: 10,
  maxReadinessTimeout: 600,
  minApprovalTimeout: 60,
  defaultApprovalTimeout: 3_600,
  defaultMinInvocations: 10,
  /** The largest `health.minInvocations` (a billion: more than any pause could see). */
  maxMinInvocations: 1_000_000_000,
  maxPause: 7 * 86_400,
  /** The largest `provisionedConcurrency` amount: Lambda's concurrency quotas are per Region, in the thousands. */
  maxProvisionedConcurrency: 100_000,
  /** How long provisioned concurrency may stay IN_PROGRESS before a weight moves (AWS: "a minute or two"), seconds; the deployment's timeout caps it too. */
  provisionedConcurrencyReadyTimeout: 15 * 60,
  /** Seconds between two reads of an allocation still IN_PROGRESS. */
  provisionedConcurrencyPollInterval: 15,
  /**
   * Health checks a deployment may make. Every check is three Step Functions states and a few
   * history events; this keeps the longest allowed deployment far below the 25,000-event
   * history limit.
   */
  maxHealthChecks: 2_000,
  /** A deployment needs time beyond its waits for publishing, smoke tests, hooks and weight changes. */
  timeoutMargin: 60,
  /**
   * `cleanup.undoWindow`: how long after a deployment SUCCEEDED the version it left (the one its
   * alias served before) is kept from cleanup, so `fledge rollback` finds it. At least the 15
   * minutes every ending's versions are kept anyway; at most 90 days.
   */
  minUndoWindow: 15 * 60,
  maxUndoWindow: 90 * 86_400,
  defaultUndoWindow: 86_400,
  /** Targets (accounts × regions) one spec deploys to in waves. */
  maxTargets: 50,
} as const;

/** `262144 bytes (256 KiB)`: a byte limit as messages state it. */
export function describeBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes} bytes (${bytes / 1024} KiB)` : `${bytes} bytes`;
}
