/** The deployment engine's domain core: one function per state-machine task, plus the controls issue 5 calls. */
export { APPROVAL_ID, decideApproval, requestApproval, approvalIdFor } from './approval';
export type { ApprovalDecision } from './approval';
export { check } from './check';
export { requestPromote, requestStop } from './controls';
export type { EngineDeps } from './deps';
export * from './errors';
export { parseApprovalTaskInput, parseEngineState, parseStatusChangeEvent, DEPLOYMENT_ID } from './input';
export * from './model';
export { nextStep } from './next-step';
export { recordDrift, recordNoChange, recordRejected, rollbackFailed } from './outcomes';
export { preTraffic } from './pre-traffic';
export { prepare } from './prepare';
export { promote } from './promote';
export { publish } from './publish';
export { rollback } from './rollback';
export { safetyNet } from './safety-net';
export type { SafetyNetOutcome } from './safety-net';
