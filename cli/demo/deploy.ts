import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalMode } from '../../local/mode';
import { DEMO_EXAMPLES, releaseSpec, releaseZip, type Release } from './sample';

/** Where the demo puts its zips in the bucket, as a CI job would before calling the API. */
const PREFIX = 'builds/hello-fledge';

/**
 * Deploys one release the way a CI job does: uploads its zip to fledge's artifacts bucket, then
 * `POST /deployments` on the deployments API with the spec and the zip's location. Returns the
 * deployment id the API answered. `examples` is the folder of releases (`examples/demo/`).
 */
export async function deployRelease(mode: LocalMode, release: Release, examples: string = DEMO_EXAMPLES): Promise<string> {
  const { path, text } = await releaseSpec(release, examples);
  const key = `${PREFIX}/${release}.zip`;
  await mode.plane.clients.s3.send(new PutObjectCommand({ Bucket: mode.plane.bucket, Key: key, Body: await releaseZip(release, examples) }));
  const response = await fetch(`${mode.api.url}/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `demo-${release}-${mode.discovery.startedAt}` },
    body: JSON.stringify({ spec: text, artifact: { bucket: mode.plane.bucket, key } }),
  });
  const body = (await response.json()) as { deploymentId?: string; error?: { code: string; message: string } };
  if (response.status !== 202 || !body.deploymentId) {
    throw new Error(`POST /deployments for ${path} answered ${response.status}: ${body.error ? `${body.error.code}: ${body.error.message}` : JSON.stringify(body)}`);
  }
  return body.deploymentId;
}
