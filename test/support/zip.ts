// Deterministic function zips, from the embedded AWS's helpers.
export { functionZip, returningZip } from '@fledge-local/embedded-aws/testing';
