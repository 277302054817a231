import { S3Client } from '@aws-sdk/client-s3';
import { readSpecObject, S3ArtifactInspector } from '../../../shared/adapters/s3-artifacts';
import type { S3DropDeps } from '../../../shared/domain/starter/s3-drop';
import type { StarterDeps } from '../../../shared/domain/starter/start';
import { factory, type Factory } from '../composition';

/** S3: what a spec's artifact is (size, region, existence) before a deployment starts. */
export const artifactsPort: Factory<StarterDeps['artifacts']> = /* @__PURE__ */ factory([], (c) => new S3ArtifactInspector(c.client(S3Client)));

/** S3: a dropped spec's text. */
export const specReaderPort: Factory<S3DropDeps['readSpec']> = /* @__PURE__ */ factory([], (c) => {
  const s3 = c.client(S3Client);
  return (object) => readSpecObject(s3, object);
});
