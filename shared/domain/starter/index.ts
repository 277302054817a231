/** Starting deployments from spec text: the S3 drop and the API share this. */
export { checkArtifact, MAX_ARTIFACT_BYTES, type ArtifactFacts, type ArtifactInspector } from './artifacts';
export { deploymentIdForIdempotencyKey, deploymentIdForObject, DEPLOYMENT_ID, newDeploymentId, requestFingerprint } from './ids';
export { startDeployment, type StartOutcome, type StartRequest, type StarterDeps } from './start';
