/**
 * Helpers for code that runs against the embedded AWS: SDK client settings for its endpoint,
 * polling with a deadline, and deterministic function zips.
 */
export { clientConfig, eventually, failure, s3ClientConfig } from './clients';
export { functionZip, returningZip } from './zip';
