import * as z from 'zod';
import { custom, duration, named, shortly } from './fields';
import {
  LAMBDA_RUNTIMES,
  RESERVED_ENVIRONMENT_KEYS,
  checkAliasName,
  checkDeadLetterTarget,
  checkImageUri,
  checkInvocableFunction,
  checkLayerArn,
  checkRoleArn,
  parseFunctionRef,
  parseZipLocation,
} from './names';
import { LIMITS } from '../../model/spec-limits';
import { PRESET_NAMES, PRESET_SPELLINGS, resolvePreset } from './presets';
import { closestMatch, quote } from './problems';
import { signalFieldsSchema } from './signals';
import { webhooksSchema } from './webhooks';
import { rollbackPromotedWavesSchema, targetsSchema } from './targets';

/*
 * The spec as users write it (docs/spec.md), checked field by field. Durations come out as whole
 * seconds; everything else keeps its written form and is normalised by normalise.ts. Rules that span
 * several fields of the whole spec live in rules.ts, so that they see a structurally valid spec.
 */

/** The limits, re-exported where they were first defined. */
export { LIMITS };

/** What a pause that ends without enough evidence may do (`health.onInsufficientData`). */
export const INSUFFICIENT_DATA_ACTIONS = ['extend', 'pause', 'rollback'] as const;

const percent = z
  .number({ error: (issue) => (issue.input === undefined ? undefined : 'expected a percentage, a number in (0, 100]') })
  .refine((n) => Number.isFinite(n) && n > 0 && n <= 100, { message: 'must be a percentage greater than 0 and at most 100' });

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** The artifact's ways of naming the new version's code: exactly one is given. */
const ARTIFACT_KINDS = ['zip', 'image', 'version', 'fromLatest'] as const;

const artifact = z
  .strictObject({
    zip: named(parseZipLocation).optional(),
    objectVersion: text(1024).optional(),
    image: named(checkImageUri).optional(),
    // Adoption (docs/spec.md#adopting-a-published-version): a version SAM, CDK, Terraform or the
    // Serverless Framework already published; fledge changes no code or configuration.
    version: z
      .int({ error: (issue) => (issue.input === undefined ? undefined : typeof issue.input === 'string' && /^\d+$/.test(issue.input) ? `write the version as a number, without quotes: version: ${issue.input}` : `expected a published version number such as 42 (a whole number, 1 or more; $LATEST is not published), got ${shortly(issue.input)}`) })
      .min(1, 'must be a published version number, 1 or more')
      .optional(),
    fromLatest: z.literal(true, { error: (issue) => (issue.input === undefined ? undefined : `"fromLatest" can only be true (the highest published version); to pin one, write "version: <number>"`) }).optional(),
  })
  .superRefine((value, ctx) => {
    const given = ARTIFACT_KINDS.filter((key) => value[key] !== undefined);
    if (given.length === 2 && given[0] === 'zip' && given[1] === 'image') {
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'give exactly one of "zip" or "image", not both' });
    } else if (given.length > 1) {
      ctx.addIssue({ code: 'custom', path: [given[1]!], message: `give exactly one of "zip", "image", "version" or "fromLatest"; this artifact has ${quoted(given)}` });
    } else if (given.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "zip" (a function zip in S3), "image" (an ECR image URI), "version" (a version already published) or "fromLatest: true" (the highest published version)' });
    }
    if (value.objectVersion !== undefined && value.zip === undefined) {
      ctx.addIssue({ code: 'custom', path: ['objectVersion'], message: '"objectVersion" pins an S3 object, so it needs "zip"' });
    }
  });

const environment = z
  .record(
    z.string(),
    z.string({
      error: (issue) =>
        typeof issue.input === 'object' && issue.input !== null
          ? `environment values must be strings, got ${shortly(issue.input)}`
          : `environment values must be strings: quote it (${quote(String(issue.input))})`,
    }),
  )
  .superRefine((variables, ctx) => {
    // Runs even when some value is malformed (see `when`): the input may not be a mapping at all.
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return;
    for (const key of Object.keys(variables)) {
      if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${quote(key)} is not a valid variable name: a letter, then letters, digits or "_"` });
      } else if ((RESERVED_ENVIRONMENT_KEYS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${quote(key)} is reserved by Lambda and cannot be set` });
      }
    }
    // Lambda refuses environments over 4 KB (keys and values together).
    const size = Object.entries(variables).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
    if (size > 4096) ctx.addIssue({ code: 'custom', message: `the variables take ${size} bytes; Lambda allows at most 4096` });
  }, { when: () => true });

const configuration = z.strictObject({
  runtime: z
    .string()
    .superRefine((runtime, ctx) => {
      if ((LAMBDA_RUNTIMES as readonly string[]).includes(runtime)) return;
      const suggestion = closestMatch(runtime, LAMBDA_RUNTIMES);
      ctx.addIssue({ code: 'custom', message: `${quote(runtime)} is not a supported Lambda runtime`, params: { suggestion } });
    })
    .optional(),
  handler: text(128)
    .regex(/^[^\s]+$/, 'must not contain spaces')
    .optional(),
  memorySize: z.int().min(128, 'must be at least 128 (MB)').max(10_240, 'must be at most 10240 (MB)').optional(),
  timeout: duration(1, 900).optional(),
  role: named(checkRoleArn).optional(),
  deadLetterTarget: named(checkDeadLetterTarget).optional(),
  environment: environment.optional(),
  description: z.string().max(256, 'must be at most 256 characters').optional(),
  architectures: z
    .array(z.enum(['x86_64', 'arm64'], { error: (issue) => `expected "x86_64" or "arm64", got ${shortly(issue.input)}` }))
    .length(1, 'Lambda takes exactly one architecture, e.g. [arm64]')
    .optional(),
  layers: z
    .array(named(checkLayerArn))
    .max(5, 'Lambda attaches at most 5 layers')
    .superRefine((layers, ctx) => duplicates(layers, ctx, 'layer'))
    .optional(),
});

const approvalSettings = z.strictObject({
  timeout: duration(LIMITS.minApprovalTimeout, LIMITS.maxDeploymentTimeout).optional(),
  message: text(2000).optional(),
});

/**
 * Refines an object of optional alternatives to exactly one given key. With none given, the
 * issue yields to unknown-key reports (a misspelt key is the likelier mistake).
 */
function exactlyOneKey(value: object, ctx: z.RefinementCtx, noneMessage: string, manyMessage: (given: readonly string[]) => string): void {
  const given = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (given.length === 1) return;
  ctx.addIssue({ code: 'custom', params: { unlessUnknownKeys: given.length === 0 }, message: given.length === 0 ? noneMessage : manyMessage(given) });
}

const quoted = (keys: readonly string[]): string => keys.map((key) => `"${key}"`).join(' and ');

const step = z
  .strictObject({
    setWeight: percent.optional(),
    pause: duration(1, LIMITS.maxPause).optional(),
    // `- approval:` with nothing after it means "an approval with the spec's defaults".
    approval: approvalSettings.nullable().optional(),
  })
  .superRefine((value, ctx) =>
    exactlyOneKey(value, ctx, 'a step is one of "setWeight: <percent>", "pause: <duration>" or "approval: {…}"', (given) => `a step does one thing; this one has ${quoted(given)}: split it into ${given.length} steps`),
  );

/** Walks canary steps in order and checks that they form a sensible traffic progression. */
function checkSteps(steps: readonly WrittenStep[], ctx: z.RefinementCtx): void {
  let lastWeight = 0;
  let lastWeightIndex = -1;
  let promoteIndex = -1;
  // Runs even when some steps are malformed (see `when` below), so that ordering problems show up
  // together with the others; the input may then not even be a list.
  if (!Array.isArray(steps) || steps.length === 0) return;
  let partialWeights = 0;
  let waitsWithTraffic = 0;
  steps.forEach((current, index) => {
    if (typeof current !== 'object' || current === null) return;
    if (promoteIndex >= 0) {
      if (index === promoteIndex + 1) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: 'nothing can follow "setWeight: 100": moving all traffic promotes the new version and ends the deployment',
        });
      }
      return;
    }
    if (current.setWeight !== undefined) {
      if (typeof current.setWeight !== 'number') return;
      if (current.setWeight <= lastWeight) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'setWeight'],
          message: `weights must rise strictly: ${current.setWeight} is not above ${lastWeight} set by steps[${lastWeightIndex}]`,
        });
      } else {
        lastWeight = current.setWeight;
        lastWeightIndex = index;
      }
      if (current.setWeight === 100) promoteIndex = index;
      else partialWeights++;
    } else if (current.pause !== undefined) {
      if (lastWeightIndex < 0) {
        ctx.addIssue({ code: 'custom', path: [index, 'pause'], message: 'a pause before the first setWeight watches no traffic: move it after a setWeight' });
      } else waitsWithTraffic++;
    } else if (current.approval !== undefined && lastWeightIndex >= 0) {
      waitsWithTraffic++;
    }
  });
  if (lastWeightIndex < 0) {
    ctx.addIssue({ code: 'custom', message: 'a canary needs at least one "setWeight" step' });
  } else if (partialWeights > 0 && waitsWithTraffic === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'this canary never waits while part of the traffic is on the new version: add a pause or an approval after a setWeight (or use allAtOnce)',
    });
  }
}

export type WrittenStep = z.infer<typeof step>;

const noSettings = z.strictObject({}).nullable();

const strategy = z
  .strictObject({
    preset: z
      .string()
      .superRefine((name, ctx) => {
        if (resolvePreset(name) !== undefined) return;
        ctx.addIssue({
          code: 'custom',
          message: `unknown preset ${quote(name)}; presets are ${PRESET_NAMES.join(', ')}`,
          params: { suggestion: closestMatch(name, PRESET_SPELLINGS) },
        });
      })
      .optional(),
    canary: z.strictObject({ steps: z.array(step).min(1, 'a canary needs at least one step').superRefine(checkSteps, { when: () => true }) }).optional(),
    linear: z
      .strictObject({
        percent: percent
          .refine((n) => n < 100, { message: 'a linear strategy moves less than 100% per step; use allAtOnce for 100%' })
          // Refused before anything expands the steps: 0.0000001% would mean a billion of them.
          .superRefine((n, ctx) => {
            const pauses = Math.ceil(100 / n) - 1;
            if (n < 100 && pauses > LIMITS.maxHealthChecks) {
              ctx.addIssue({
                code: 'custom',
                message: `${n}% per step makes ${pauses > 1e9 ? 'billions of' : pauses} pauses, each with at least one health check; a deployment makes at most ${LIMITS.maxHealthChecks}: use a larger percent`,
              });
            }
          }),
        interval: duration(1, LIMITS.maxPause),
      })
      .optional(),
    blueGreen: noSettings.optional(),
    allAtOnce: noSettings.optional(),
  })
  .superRefine((value, ctx) =>
    exactlyOneKey(value, ctx, 'choose one of "preset", "canary", "linear", "blueGreen" or "allAtOnce"', (given) => `choose exactly one strategy; this one has ${quoted(given)}`),
  );

const smokeTest = z.strictObject({
  // Anything YAML/JSON can express; sent as the invocation payload.
  payload: z.unknown().optional(),
  expect: z
    .strictObject({ subset: z.unknown().optional(), exact: z.unknown().optional() })
    .superRefine((value, ctx) => {
      const given = ['subset', 'exact'].filter((key) => Object.hasOwn(value, key));
      if (given.length !== 1) {
        ctx.addIssue({ code: 'custom', message: 'give exactly one of "subset" (the response contains these fields) or "exact" (the response equals this)' });
      }
    })
    .optional(),
});

const health = z.strictObject({
  alarms: z
    .array(text(255))
    .max(100, 'at most 100 alarms')
    .superRefine((alarms, ctx) => duplicates(alarms, ctx, 'alarm'))
    .optional(),
  errorRate: z
    .strictObject({
      threshold: z.number().refine((n) => n > 0 && n <= 100, { message: 'must be a percentage greater than 0 and at most 100' }),
      minInvocations: z.int().min(1, 'must be at least 1').optional(),
    })
    .optional(),
  checkInterval: duration(LIMITS.minCheckInterval, LIMITS.maxCheckInterval).optional(),
  // The interval while the event-driven abort is armed (docs/spec.md#health).
  armedCheckInterval: duration(LIMITS.minCheckInterval, LIMITS.maxCheckInterval).optional(),
  smokeTest: smokeTest.optional(),
  // The evidence a pause needs before traffic moves on (docs/spec.md#evidence).
  minInvocations: z
    .int({ error: (issue) => (issue.input === undefined ? undefined : 'expected a whole number of invocations, 0 or more') })
    .min(0, 'must be 0 (no evidence needed) or more')
    .max(LIMITS.maxMinInvocations, `must be at most ${LIMITS.maxMinInvocations}`)
    .optional(),
  onInsufficientData: z
    .enum(INSUFFICIENT_DATA_ACTIONS, { error: (issue) => `expected one of ${INSUFFICIENT_DATA_ACTIONS.map((action) => `"${action}"`).join(', ')}, got ${JSON.stringify(issue.input)}` })
    .optional(),
  maxExtension: duration(LIMITS.minCheckInterval, LIMITS.maxPause).optional(),
  // Latency, throttles, baseline comparisons, custom metrics, failureLimit, consecutiveSuccesses.
  ...signalFieldsSchema,
});

const hooks = z.strictObject({
  beforeTraffic: named(checkInvocableFunction).optional(),
  afterTraffic: named(checkInvocableFunction).optional(),
});

/**
 * `source.github`: the repository (`owner/name`, GitHub's own character rules), the ref deployed
 * and the environment (docs/spec.md#source), as the CI integration writes them.
 */
const githubSource = z.strictObject({
  repository: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, 'must be "owner/name", as GitHub spells it (e.g. "acme/payments")'),
  ref: text(255).regex(/^[A-Za-z0-9._/@{}+=,-]+$/, 'must be a branch, tag or commit SHA (letters, digits and . _ / @ { } + = , -)'),
  environment: text(255).regex(/^[\w ./-]+$/, 'must be letters, digits, spaces and . _ / -').optional(),
});

/** `auto`, `off`, or the provisioned concurrency the new version gets at 100% (docs/spec.md#provisioned-concurrency). */
const provisionedConcurrency = z.unknown().transform((value, ctx): 'auto' | 'off' | number => {
  if (value === 'auto' || value === 'off') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= LIMITS.maxProvisionedConcurrency) return value;
  ctx.issues.push({ ...custom(`expected "auto", "off" or a whole number of execution environments from 1 to ${LIMITS.maxProvisionedConcurrency}, got ${shortly(value)}`), input: value });
  return z.NEVER;
});

/** What a deployment does when another one holds its alias (docs/spec.md#onconflict). */
export const ON_CONFLICT = ['reject', 'enqueue', 'supersede'] as const;

/** How a group's members move (docs/spec.md#groups). */
export const GROUP_SHIFTS = ['lockstep', 'ordered'] as const;

/** One more function of a group: the same four fields the spec gives its own function. */
const groupMember = z.strictObject({
  function: named(parseFunctionRef),
  alias: named(checkAliasName),
  artifact,
  configuration: configuration.optional(),
});

const group = z.strictObject({
  shift: z
    .enum(GROUP_SHIFTS, { error: (issue) => `expected ${GROUP_SHIFTS.map((shift) => `"${shift}"`).join(' or ')}, got ${shortly(issue.input)} (lockstep: every member at the same weight at each step; ordered: one member after another, in the declared order)` })
    .optional(),
  members: z
    .array(groupMember)
    .min(1, 'a group needs at least one more function besides the spec\'s own')
    .max(LIMITS.maxGroupMembers - 1, `a group has at most ${LIMITS.maxGroupMembers} functions, the spec's own included: at most ${LIMITS.maxGroupMembers - 1} members here`),
});

/** The user-facing deployment spec, version 1. */
export const specSchema = z.strictObject({
  version: z.unknown().superRefine((value, ctx) => {
    if (value === undefined) ctx.addIssue({ code: 'custom', message: '"version" is required: write "version: 1"' });
    else if (value === '1') ctx.addIssue({ code: 'custom', message: 'write "version: 1" as a number, without quotes' });
    else if (value !== 1) ctx.addIssue({ code: 'custom', message: `unsupported spec version ${shortly(value)}: this fledge reads version 1` });
  }),
  function: named(parseFunctionRef),
  alias: named(checkAliasName),
  artifact,
  configuration: configuration.optional(),
  strategy,
  health: health.optional(),
  hooks: hooks.optional(),
  webhooks: webhooksSchema.optional(),
  approval: approvalSettings.optional(),
  timeout: duration(LIMITS.minDeploymentTimeout, LIMITS.maxDeploymentTimeout).optional(),
  finalBake: duration(LIMITS.minCheckInterval, LIMITS.maxPause).optional(),
  cleanup: z
    .strictObject({
      keepVersions: z.int().min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
      undoWindow: duration(LIMITS.minUndoWindow, LIMITS.maxUndoWindow).optional(),
    })
    .optional(),
  source: z.strictObject({ github: githubSource.optional() }).optional(),
  callers: z.enum(['warn', 'strict'], { error: (issue) => `expected "warn" or "strict", got ${shortly(issue.input)}` }).optional(),
  readiness: z.strictObject({ timeout: duration(LIMITS.minReadinessTimeout, LIMITS.maxReadinessTimeout) }).optional(),
  provisionedConcurrency: provisionedConcurrency.optional(),
  // Further functions released with this one (docs/spec.md#groups).
  group: group.optional(),
  // When another deployment holds the alias (docs/spec.md#onconflict).
  onConflict: z
    .enum(ON_CONFLICT, { error: (issue) => `expected one of ${ON_CONFLICT.map((value) => `"${value}"`).join(', ')}, got ${shortly(issue.input)}` })
    .optional(),
  // Where to deploy, in waves (targets.ts, docs/spec.md#targets-and-rollbackpromotedwaves).
  targets: targetsSchema.optional(),
  rollbackPromotedWaves: rollbackPromotedWavesSchema.optional(),
});

/** A spec that passed the schema: written form, durations in seconds. */
export type WrittenSpec = z.infer<typeof specSchema>;

function duplicates(values: readonly string[], ctx: z.RefinementCtx, what: string): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} ${quote(value)} (already at [${first}])` });
    else seen.set(value, index);
  });
}
