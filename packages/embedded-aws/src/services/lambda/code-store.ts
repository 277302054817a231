import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { writeFileAtomically } from '../../state-file';
import { invalidParameter } from './errors';
import type { CodeRef } from './model';

/** Lambda's limits on a deployment package. */
const MAX_UNZIPPED_BYTES = 262_144_000;

/**
 * Function code by content: zips are kept once per sha256 (in memory, and under
 * `<dataDir>/lambda/code` when the embedded AWS persists), and unpacked on first use into a
 * directory of their own that the execution environments load the handler from.
 */
export class CodeStore {
  private readonly zips = new Map<string, Buffer>();
  private readonly unpacked = new Map<string, string>();
  private readonly unpackRoot: string;
  private readonly ownsUnpackRoot: boolean;

  constructor(private readonly dataDir: string | undefined) {
    if (dataDir) {
      this.unpackRoot = join(dataDir, 'lambda', 'unpacked');
      this.ownsUnpackRoot = false;
    } else {
      this.unpackRoot = mkdtempSync(join(tmpdir(), 'fledge-lambda-'));
      this.ownsUnpackRoot = true;
    }
  }

  /** Validates a zip (it must unzip and stay under Lambda's unzipped limit), stores it and describes it. */
  put(zip: Buffer): CodeRef {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(zip);
    } catch (error) {
      throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.', { cause: error });
    }
    const unzipped = Object.values(entries).reduce((sum, bytes) => sum + bytes.length, 0);
    if (unzipped >= MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    const digest = createHash('sha256').update(zip).digest();
    const zipKey = digest.toString('hex');
    if (!this.zips.has(zipKey)) {
      this.zips.set(zipKey, zip);
      if (this.dataDir) writeFileAtomically(join(this.dataDir, 'lambda', 'code', `${zipKey}.zip`), zip);
    }
    return { codeSha256: digest.toString('base64'), codeSize: zip.length, zipKey };
  }

  /** The zip stored under `zipKey`, from memory or the data directory. */
  get(zipKey: string): Buffer {
    const cached = this.zips.get(zipKey);
    if (cached) return cached;
    if (!this.dataDir) throw new Error(`lambda: no code stored for ${zipKey}`);
    const zip = readFileSync(join(this.dataDir, 'lambda', 'code', `${zipKey}.zip`));
    this.zips.set(zipKey, zip);
    return zip;
  }

  /** The zip stored under `zipKey`, or undefined when there is none. */
  find(zipKey: string): Buffer | undefined {
    if (this.zips.has(zipKey)) return this.zips.get(zipKey);
    if (!this.dataDir || !existsSync(join(this.dataDir, 'lambda', 'code', `${zipKey}.zip`))) return undefined;
    return this.get(zipKey);
  }

  /** The directory the zip is unpacked in (the function's LAMBDA_TASK_ROOT), unpacking it on first use. */
  taskRoot(zipKey: string): string {
    const known = this.unpacked.get(zipKey);
    if (known) return known;
    const dir = join(this.unpackRoot, zipKey);
    const done = join(dir, '.fledge-unpacked');
    if (!existsSync(done)) {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, bytes] of Object.entries(unzipSync(this.get(zipKey)))) {
        if (path.endsWith('/')) continue;
        const target = resolve(dir, path);
        // A zip entry like ../../x must not write outside the task root.
        if (!target.startsWith(dir + sep)) throw invalidParameter(`Zip entry '${path}' points outside the package`);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, bytes);
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(done, '');
    }
    this.unpacked.set(zipKey, dir);
    return dir;
  }

  /** Removes the temporary unpack directory when the code is not persisted. */
  dispose(): void {
    if (this.ownsUnpackRoot) rmSync(this.unpackRoot, { recursive: true, force: true });
  }
}

/** Content-addressed identity for code that is not a zip (an image URI, an in-process handler). */
export function pseudoCode(identity: string): CodeRef {
  return { codeSha256: createHash('sha256').update(identity).digest('base64'), codeSize: 0, zipKey: undefined };
}
