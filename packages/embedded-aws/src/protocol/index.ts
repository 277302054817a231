/**
 * Wire-protocol helpers shared by the embedded AWS services: each renders an AWS error exactly
 * the way the SDK v3 deserialisers of that protocol expect it, so `error.name` and
 * `error.$metadata.httpStatusCode` come out as on AWS.
 *
 * | protocol  | services                              | helper               |
 * | --------- | ------------------------------------- | -------------------- |
 * | awsJson   | DynamoDB, CloudWatch, Step Functions  | {@link sendAwsJsonError}  |
 * | restJson1 | Lambda                                | {@link sendRestJsonError} |
 * | awsQuery  | SNS                                   | {@link sendAwsQueryError} |
 * | restXml   | S3                                    | {@link sendRestXmlError}  |
 *
 * Faults injected through the control API are turned into an {@link AwsErrorShape} by
 * `takeFault` in `faults.ts`, then rendered with these.
 */
export { escapeXml, newRequestId, sendAwsJsonError, sendAwsQueryError, sendRestJsonError, sendRestXmlError, type AwsErrorShape } from './errors';
