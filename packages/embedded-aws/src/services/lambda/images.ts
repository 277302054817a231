import { createHash } from 'node:crypto';
import type { CodeStore } from './code-store';
import type { CodeRef } from './model';

/** A container image the embedded Lambda stands in for with a Node.js zip. */
interface StandIn {
  readonly digest: string;
  readonly zipKey: string;
  readonly codeSize: number;
  readonly handler: string;
}

const DIGEST = /@sha256:([0-9a-f]{64})$/;

/**
 * Container images in the embedded Lambda. There is no registry and no container runtime: an
 * image URI resolves to its digest (the `@sha256:` of a digest URI; for a tag, the digest of the
 * stand-in registered for it, else a digest derived from the URI), which is the function's
 * CodeSha256 as on AWS. A test or the demo may register a *stand-in* for an image URI — a Node.js
 * zip and its handler — and invocations of a function or version built from that image then run
 * the stand-in. Without one, an image function is stored, published and routed, but not run.
 */
export class ImageStandIns {
  private readonly byUri = new Map<string, StandIn>();

  constructor(private readonly codes: CodeStore) {}

  /** Registers `zip` (its `handler`, e.g. `index.handler`) as what `imageUri` runs; the image's digest is the zip's SHA-256. */
  register(imageUri: string, zip: Buffer, handler: string): { digest: string } {
    const code = this.codes.put(zip);
    const digest = createHash('sha256').update(zip).digest('hex');
    const standIn: StandIn = { digest, zipKey: code.zipKey ?? '', codeSize: code.codeSize, handler };
    this.byUri.set(imageUri, standIn);
    this.byUri.set(`${repositoryOf(imageUri)}@sha256:${digest}`, standIn);
    return { digest };
  }

  /** The code of a function built from `imageUri`: CodeSha256 is the image's digest, and the stand-in's zip when one is registered. */
  code(imageUri: string): CodeRef {
    const standIn = this.byUri.get(imageUri);
    if (standIn) return { codeSha256: standIn.digest, codeSize: standIn.codeSize, zipKey: standIn.zipKey };
    const digest = DIGEST.exec(imageUri)?.[1] ?? createHash('sha256').update(imageUri).digest('hex');
    return { codeSha256: digest, codeSize: 0, zipKey: undefined };
  }

  /** `repository@sha256:<digest>`: the URI a tag resolved to, as GetFunction's ResolvedImageUri. */
  resolvedUri(imageUri: string, digest: string): string {
    return `${repositoryOf(imageUri)}@sha256:${digest}`;
  }

  /** The handler a stand-in zip runs with. */
  handlerFor(zipKey: string): string | undefined {
    for (const standIn of this.byUri.values()) if (standIn.zipKey === zipKey) return standIn.handler;
    return undefined;
  }
}

/** `123….dkr.ecr.us-east-1.amazonaws.com/orders:v2` → `123….dkr.ecr.us-east-1.amazonaws.com/orders`. */
function repositoryOf(imageUri: string): string {
  const at = imageUri.indexOf('@');
  if (at >= 0) return imageUri.slice(0, at);
  const slash = imageUri.lastIndexOf('/');
  const colon = imageUri.lastIndexOf(':');
  return colon > slash ? imageUri.slice(0, colon) : imageUri;
}
