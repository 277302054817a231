/** Deployment spec v1: the model, and the one entry point that reads it. */
export type * from './model';
export { parseDeploymentSpec, type ParseOptions, type SpecParseResult } from './parse';
export { SpecInvalidError } from './errors';
export { formatPath, type SpecProblem } from './problems';
export { PRESETS, PRESET_NAMES, resolvePreset } from './presets';
export { LIMITS } from './limits';
export { MAX_SPEC_BYTES, specTooLarge, tooDeepMessage } from './source';
export { tooDeep } from './measure';
export { homeOfArn, type Home } from './names';
export { WEBHOOK_POINTS, type WebhookPoint, type WebhookSpec, type WebhooksSpec } from './webhooks';
