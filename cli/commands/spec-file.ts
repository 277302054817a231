import { open } from 'node:fs/promises';
import { MAX_SPEC_BYTES } from '../../shared/domain/spec/source';
import { UsageError } from '../program';

/**
 * Reads a spec file's bytes for the spec parser (which checks the encoding and the size limit).
 * Reads at most one byte past the limit, so `/dev/zero` or a huge file cannot exhaust memory.
 * `-` reads standard input.
 *
 * @throws {@link UsageError} when the file cannot be read: missing, a directory, no permission.
 */
export async function readSpecFile(path: string): Promise<Uint8Array> {
  if (path === '-') return readLimited(process.stdin);
  let handle;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) throw new UsageError(`cannot read spec "${path}": it is a directory`);
    const buffer = Buffer.alloc(MAX_SPEC_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read spec "${path}": ${reason(error)}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

async function readLimited(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    length += chunk.byteLength;
    if (length > MAX_SPEC_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_SPEC_BYTES + 1);
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
