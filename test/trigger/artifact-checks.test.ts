import { describe, expect, it } from 'vitest';
import { ArtifactUnavailableError, TransientAwsError } from '../../shared/model/engine-errors';
import { checkArtifact, MAX_ARTIFACT_BYTES } from '../../shared/domain/starter/artifacts';
import type { ArtifactFacts, ArtifactInspector } from '../../shared/ports/artifact-inspector';
import { deploymentIdForIdempotencyKey, deploymentIdForObject, DEPLOYMENT_ID } from '../../shared/domain/starter/ids';
import { parseS3Event } from '../../functions/lib/events';
import { resolveDropArtifact } from '../../shared/domain/starter/s3-drop';
import { spec } from '../support/engine';

/** An inspector that answers with fixed facts: the checks are pure decisions over them. */
const facts = (answer: ArtifactFacts): ArtifactInspector => ({ inspect: async () => answer });
const zip = { bucket: 'fledge-artifacts', key: 'deployments/a/function.zip' };

describe('artifact checks before a deployment starts', () => {
  it('refuses a zip larger than Lambda takes from S3', async () => {
    // Act
    const problems = await checkArtifact(facts({ sizeBytes: MAX_ARTIFACT_BYTES + 1, region: 'eu-west-1' }), zip, 'eu-west-1');

    // Assess
    expect(problems).toEqual([{ path: 'artifact.zip', message: expect.stringMatching(/has 250\.0 MiB; Lambda takes at most 250\.0 MiB/) }]);
  });

  it('refuses a zip in another region than the function', async () => {
    // Act
    const problems = await checkArtifact(facts({ sizeBytes: 1024, region: 'us-east-1' }), zip, 'eu-west-1');

    // Assess
    expect(problems[0]?.message).toContain('is in us-east-1, but fledge and the function are in eu-west-1');
  });

  it('reports an artifact S3 will not show as a problem at the field it came from, and lets transient failures through', async () => {
    // Prepare
    const unavailable: ArtifactInspector = { inspect: async () => { throw new ArtifactUnavailableError('s3://b/k', 'S3 answered AccessDenied'); } };
    const throttled: ArtifactInspector = { inspect: async () => { throw new TransientAwsError('HeadObject s3://b/k: SlowDown'); } };

    // Act
    const problems = await checkArtifact(unavailable, zip, 'eu-west-1', 'artifact');
    const transient = checkArtifact(throttled, zip, 'eu-west-1');

    // Assess
    expect(problems).toEqual([{ path: 'artifact', message: 'artifact not found or not readable: s3://b/k (S3 answered AccessDenied)' }]);
    await expect(transient).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('accepts a 60 MB zip: the 50 MB limit is for direct uploads only', async () => {
    // Act
    const problems = await checkArtifact(facts({ sizeBytes: 60 * 1024 * 1024, region: 'eu-west-1' }), zip, 'eu-west-1');

    // Assess
    expect(problems).toEqual([]);
  });
});

describe('deployment ids and S3 keys', () => {
  it('derives valid execution names from object identities, stable and distinct', () => {
    // Act
    const a = deploymentIdForObject({ bucket: 'b', key: 'deployments/x y/ü+.yaml', versionId: 'v1' });
    const again = deploymentIdForObject({ bucket: 'b', key: 'deployments/x y/ü+.yaml', versionId: 'v1' });
    const newer = deploymentIdForObject({ bucket: 'b', key: 'deployments/x y/ü+.yaml', versionId: 'v2' });
    const keyed = deploymentIdForIdempotencyKey('arn:aws:iam::1:user/alice', 'k'.repeat(255));

    // Assess
    expect(a).toBe(again);
    expect(a).not.toBe(newer);
    for (const id of [a, newer, keyed]) expect(id).toMatch(DEPLOYMENT_ID);
  });

  it('decodes keys as S3 encodes them: + is a space, %2B a plus, unicode as UTF-8', () => {
    // Act
    const [object] = parseS3Event({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'deployments/my+app%2Bv2/%C3%BC.yaml', eTag: 'e' } } }] });

    // Assess
    expect(object?.key).toBe('deployments/my app+v2/ü.yaml');
    expect(resolveDropArtifact({ ...spec('f', { kind: 'allAtOnce' }), artifact: { kind: 'zip', key: 'build/f.zip' } }, object!)).toEqual({ bucket: 'b', key: 'deployments/my app+v2/build/f.zip' });
  });

  it('rejects an event record that cannot be read, naming it', () => {
    // Act + Assess
    expect(() => parseS3Event({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: '%E0%A4%A' } } }] })).toThrow(/record 0: the key "%E0%A4%A" is not valid URL encoding/);
  });
});
