/** What fledge can learn about a zip in S3 before starting a deployment from it. */
export interface ArtifactFacts {
  readonly sizeBytes: number;
  /** Region of the bucket. */
  readonly region: string;
  readonly versionId?: string;
}

/** Looks at an artifact in S3 (HeadObject + the bucket's region). Implemented by `shared/adapters/s3-artifacts.ts`. */
export interface ArtifactInspector {
  /**
   * The artifact's facts. Throws `ArtifactUnavailableError` (shared/model/engine-errors.ts) when S3 will not show it —
   * missing or not readable, which S3 does not tell apart for a caller without `s3:ListBucket`.
   */
  inspect(location: { bucket: string; key: string; versionId?: string }): Promise<ArtifactFacts>;
}
