// The embedded AWS's helpers for code that runs against it, under the name fledge's tests know.
export { clientConfig, eventually, failure, s3ClientConfig } from '@fledge-local/embedded-aws/testing';
