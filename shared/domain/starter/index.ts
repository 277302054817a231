/** Starting deployments from spec text: the S3 drop and the API share this. */
export { checkArtifact, MAX_ARTIFACT_BYTES, type ArtifactFacts, type ArtifactInspector } from './artifacts';
export { ExecutionRefusedError, StartInterruptedError, StarterError } from '../../model/starter-errors';
export { expireStalledStart, START_GRACE_MS, startDeadlineOf, type StalledStart } from './expire';
export { deploymentIdForIdempotencyKey, deploymentIdForObject, DEPLOYMENT_ID, newDeploymentId, requestFingerprint } from './ids';
export { startDeployment, type StartOutcome, type StartRequest, type StarterDeps } from './start';
