import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalAwsError } from '../../errors';
import type { NotificationConfiguration } from './notifications';

/** The bucket notification configurations could not be read or written. */
export class NotificationStoreError extends LocalAwsError {
  override readonly name = 'NotificationStoreError';
}

/** Bucket notification configurations, in memory, mirrored to one JSON file when given a path. */
export interface NotificationStore {
  get(bucket: string): NotificationConfiguration | undefined;
  put(bucket: string, config: NotificationConfiguration): Promise<void>;
  delete(bucket: string): Promise<void>;
}

/** Loads the configurations from `file` (if it exists) and keeps it up to date; in memory only without a file. */
export async function openNotificationStore(file: string | undefined): Promise<NotificationStore> {
  const configs = new Map<string, NotificationConfiguration>();
  if (file !== undefined) {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw new NotificationStoreError(`S3: cannot read bucket notifications from ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (text !== undefined) {
      try {
        for (const [bucket, config] of Object.entries(JSON.parse(text) as Record<string, NotificationConfiguration>)) configs.set(bucket, config);
      } catch (error) {
        throw new NotificationStoreError(`S3: ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  let writing = Promise.resolve();
  const persist = (): Promise<void> => {
    if (file === undefined) return Promise.resolve();
    const snapshot = JSON.stringify(Object.fromEntries(configs), null, 2);
    // Serialised and atomic (write, then rename) so a crash never leaves half a file.
    writing = writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, snapshot);
      await rename(`${file}.tmp`, file);
    });
    return writing;
  };
  return {
    get: (bucket) => configs.get(bucket),
    async put(bucket, config) {
      if (config.targets.length === 0 && !config.eventBridge) configs.delete(bucket);
      else configs.set(bucket, config);
      await persist();
    },
    async delete(bucket) {
      if (configs.delete(bucket)) await persist();
    },
  };
}
