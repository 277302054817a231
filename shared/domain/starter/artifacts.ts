import { ArtifactUnavailableError } from '../../model/engine-errors';
import { describeArtifact, isPublishedArtifact, type ArtifactLocation } from '../../model/deployment';
import type { ArtifactFacts, ArtifactInspector } from '../../ports/artifact-inspector';

/**
 * Largest zip fledge hands to Lambda. Lambda's 50 MB limit applies to zips uploaded directly
 * through its API; code taken from S3 is limited by its unzipped size, 250 MB. A zip is never
 * smaller than what it holds by less than its compression, so anything above 250 MB zipped
 * cannot unpack below the limit (the unzipped size is Lambda's to check).
 */
export const MAX_ARTIFACT_BYTES = 250 * 1024 * 1024;

/** A problem with the artifact, in the same shape as a spec problem (path `artifact.zip`). */
export interface ArtifactProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks that the artifact can be read, is not too large, and lives in the control plane's region
 * (Lambda reads code only from a bucket in the function's region). Container images are not
 * inspected: Lambda checks them itself. Problems are reported at `path` — the field the artifact
 * came from (`artifact.zip` in a spec, `artifact` in an API request).
 */
export async function checkArtifact(inspector: ArtifactInspector, artifact: ArtifactLocation, region: string | undefined, path = 'artifact.zip'): Promise<readonly ArtifactProblem[]> {
  // Lambda checks images itself; an adopted version is checked by Prepare, which reads the function.
  if ('imageUri' in artifact || isPublishedArtifact(artifact)) return [];
  const where = describeArtifact(artifact);
  let facts: ArtifactFacts;
  try {
    facts = await inspector.inspect(artifact);
  } catch (error) {
    if (error instanceof ArtifactUnavailableError) return [{ path, message: error.message }];
    throw error;
  }
  const problems: ArtifactProblem[] = [];
  if (facts.sizeBytes > MAX_ARTIFACT_BYTES) {
    problems.push({ path, message: `the artifact ${where} has ${mib(facts.sizeBytes)}; Lambda takes at most ${mib(MAX_ARTIFACT_BYTES)} of code (unzipped)` });
  }
  if (region && facts.region !== region) {
    problems.push({ path, message: `the artifact ${where} is in ${facts.region}, but fledge and the function are in ${region}: Lambda reads code only from a bucket in its own region` });
  }
  return problems;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
