import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Option, type Command } from 'commander';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { DeploymentSpec } from '../../shared/model/spec';
import { deploymentIdForObject } from '../../shared/domain/starter/ids';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, ApiRequestError, awsCredentials, NoCredentialsError, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions, type ApiTarget } from '../api-client';
import { followDeployment, getDeployment } from '../follow';
import { FINISHED, formatStatus, SUCCESSFUL, type DeploymentDetail } from '../format/deployment';
import { formatProblems, formatWarnings } from '../format/problems';
import { styleFor } from '../format/style';
import { fitToTerminal } from '../live';
import { machineOutput, printResult } from '../output';
import { EXIT_CODES_HELP, ExitCode, UsageError } from '../program';
import { applyGithubSource, githubSourceOf, withGithubSourceOptions, type GithubSourceOptions } from './github-source';
import { readSpecFile } from './spec-file';
import { timeoutOption } from './status';

const HELP = `
Examples:
  $ fledge deploy examples/canary.yaml --zip build/orders-api.zip --local --wait
  $ fledge deploy release.yaml --via api --endpoint https://abc.execute-api.eu-west-1.amazonaws.com
  $ fledge deploy release.yaml --bucket my-fledge-artifacts --output json
  $ fledge deploy release.yaml --wait --timeout 1h | tee deploy.log   # CI: every event, once, in order
  $ fledge deploy release.yaml --github-repository acme/orders --github-ref "$GITHUB_SHA"

The spec is validated here first. A relative artifact.zip is uploaded from --zip (or from the
path next to the spec) into fledge's bucket, beside the spec. --via s3 (default) then drops the
spec under deployments/ and the S3 trigger starts the deployment — its id follows from the
object, so the CLI knows it at once; --via api posts the spec to the API instead.
The bucket and the API come from --bucket/--endpoint, $FLEDGE_ARTIFACTS_BUCKET/$FLEDGE_API_URL,
or \`fledge configure\`. --wait follows the deployment to its end: redrawn in place on a terminal,
every event of the history once, in order, with its time on a pipe or in a CI log. Ctrl+C stops
following only: the deployment goes on, and fledge says how to follow or stop it.
--github-repository and --github-ref (and --github-environment) write source.github into the spec
it sends, comments kept: with a GitHub token in the installation, fledge reports the deployment to
that repository as a GitHub deployment and its statuses (docs/events.md). A spec that already
names a different source.github is refused (exit 2), never overridden.
${EXIT_CODES_HELP} Here: 0 started (or succeeded with --wait), 1 refused or failed (or
--timeout ran out: the deployment goes on), 2 usage error, 130 Ctrl+C during --wait.`;

interface DeployOptions extends ApiOptions, GithubSourceOptions {
  zip?: string;
  wait?: boolean;
  timeout?: number;
  via: 's3' | 'api';
  bucket?: string;
  idempotencyKey?: string;
}

/** Registers `fledge deploy`. */
export function registerDeploy(program: Command): void {
  withApiOptions(
    withGithubSourceOptions(program
      .command('deploy')
      .description('Start a deployment from a spec (uploads the zip and the spec to fledge, or calls the API)')
      .argument('<spec>', 'the deployment spec (YAML or JSON)')
      .option('--zip <file>', "the function's zip (default: the spec's relative artifact.zip, next to the spec)")
      .option('--wait', 'follow the deployment until it finishes')
      .addOption(timeoutOption())
      .addOption(new Option('--via <door>', 'how to start it').choices(['s3', 'api']).default('s3'))
      .option('--bucket <name>', "fledge's artifacts bucket (default: $FLEDGE_ARTIFACTS_BUCKET, `fledge configure`, or local mode's)")
      .option('--idempotency-key <key>', 'with --via api: running again with the same key starts nothing twice (default: a fresh key per run)')),
  )
    .addHelpText('after', HELP)
    .action(async (specPath: string, options: DeployOptions) => {
      const github = githubSourceOf(options);
      const read = await readSpecFile(specPath);
      const parsed = parseDeploymentSpec(read, specPath);
      if (!parsed.ok) {
        process.stderr.write(formatProblems(specPath, parsed.problems, styleFor(process.stderr)));
        process.exitCode = ExitCode.failure;
        return;
      }
      process.stderr.write(formatWarnings(specPath, parsed.warnings, styleFor(process.stderr)));
      // What is sent: the spec as written, or with the --github-* options' source.github in it.
      const bytes = github ? applyGithubSource(read, specPath, parsed.spec, github).bytes : read;
      const target = await resolveTarget(options);
      const client = new ApiClient(target);
      const zip = await zipToUpload(parsed.spec, specPath, options.zip);
      const folder = `deployments/${parsed.spec.function.name}/${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}/`;
      const needsBucket = zip !== undefined || options.via === 's3';
      if (needsBucket && !target.bucket) throw new UsageError("fledge's artifacts bucket is not known: pass --bucket <name>, set FLEDGE_ARTIFACTS_BUCKET, or run `fledge configure --bucket <name>` once");
      const s3 = needsBucket ? await s3Client(target) : undefined;
      const uploadedZip = zip && s3 ? await upload(s3, target.bucket!, `${folder}${zip.key}`, await readFile(zip.path)) : undefined;

      let id: string;
      if (options.via === 's3') {
        const specKey = `${folder}${/\.(ya?ml|json)$/i.test(basename(specPath)) ? basename(specPath) : 'spec.yaml'}`;
        const put = await upload(s3!, target.bucket!, specKey, bytes);
        id = deploymentIdForObject({ bucket: target.bucket!, key: specKey, ...(put.versionId ? { versionId: put.versionId } : {}), ...(put.eTag ? { eTag: put.eTag } : {}) });
        note(options, `uploaded s3://${target.bucket}/${specKey}; deployment ${id}`);
        await appeared(client, id);
      } else {
        const started = await client.request<{ deploymentId: string }>('POST', '/deployments', {
          json: { spec: Buffer.from(bytes).toString('utf8'), ...(uploadedZip ? { artifact: { bucket: target.bucket, key: uploadedZip.key, ...(uploadedZip.versionId ? { versionId: uploadedZip.versionId } : {}) } } : {}) },
          // A key per invocation (unless given) makes the client's own retries start nothing twice.
          headers: { 'idempotency-key': options.idempotencyKey ?? `fledge-cli-${randomUUID()}` },
        });
        id = started.deploymentId;
        note(options, `deployment ${id} started through the API`);
      }

      const flags = sameTargetFlags(options);
      if (options.wait) {
        const followed = await followDeployment(client, id, { intervalMs: 500, flags, ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}) });
        if (followed.end === 'interrupted') return void (process.exitCode = ExitCode.interrupted);
        process.exitCode = followed.end === 'timeout' || refusedOrFailed(followed.detail) ? ExitCode.failure : ExitCode.ok;
        return;
      }
      if (options.timeout !== undefined) throw new UsageError('--timeout only applies with --wait');
      const detail = await getDeployment(client, id);
      printResult(detail, () => `${fitToTerminal(formatStatus(detail, styleFor(process.stdout), { flags })).join('\n')}\n\nfollow it: fledge status ${sanitise(id)} --watch${flags}\n`);
      process.exitCode = refusedOrFailed(detail) ? ExitCode.failure : ExitCode.ok;
    });
}

function refusedOrFailed(detail: DeploymentDetail): boolean {
  return FINISHED.has(detail.status) && !SUCCESSFUL.has(detail.status);
}

function note(_options: ApiOptions, text: string): void {
  if (!machineOutput()) process.stderr.write(`${sanitise(text)}\n`);
}

/** The local zip to upload and its key relative to the spec's folder, or undefined when the spec names an s3:// object or an image. */
async function zipToUpload(spec: DeploymentSpec, specPath: string, zipOption: string | undefined): Promise<{ path: string; key: string } | undefined> {
  const artifact = spec.artifact;
  if (artifact.kind === 'published' || artifact.kind === 'fromLatest') {
    if (zipOption) throw new UsageError(`--zip cannot be used: the spec's artifact is ${artifact.kind === 'published' ? `version ${artifact.version}` : 'fromLatest'}, a version already published`);
    return undefined;
  }
  if (artifact.kind === 'image' || artifact.bucket) {
    if (zipOption) throw new UsageError(`--zip cannot be used: the spec's artifact is ${artifact.kind === 'image' ? `the image ${artifact.imageUri}` : `s3://${artifact.bucket}/${artifact.key}`}`);
    return undefined;
  }
  const path = zipOption ?? resolve(specPath === '-' ? '.' : dirname(specPath), artifact.key);
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(zipOption ? `cannot read --zip "${zipOption}"` : `the spec's artifact.zip "${artifact.key}" is not at ${path}; pass --zip <file>`);
  }
  return { path, key: artifact.key };
}

/** The S3 client, loaded by the commands that upload only (a command that does not start fast for nothing). */
async function s3Client(target: ApiTarget): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  // Checksums only when required: the embedded S3 (and some proxies) store streamed checksum framing otherwise.
  const common = { region: target.region, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
  if (target.local) return new S3Client({ ...common, endpoint: target.local.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return new S3Client({ ...common, credentials: awsCredentials() });
}

async function upload(s3: S3Client, bucket: string, key: string, body: Uint8Array): Promise<{ key: string; versionId?: string; eTag?: string }> {
  try {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const eTag = out.ETag?.replace(/"/g, '');
    return { key, ...(out.VersionId && out.VersionId !== 'null' ? { versionId: out.VersionId } : {}), ...(eTag ? { eTag } : {}) };
  } catch (error) {
    if (error instanceof NoCredentialsError) throw error;
    throw new Error(`uploading s3://${bucket}/${key} failed: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}

/** Waits (up to a minute) for the S3 trigger to record the deployment. */
async function appeared(client: ApiClient, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await getDeployment(client, id);
      return;
    } catch (error) {
      if (!(error instanceof ApiRequestError) || error.status !== 404) throw error;
      if (Date.now() > deadline) throw new Error(`the spec was uploaded, but no deployment ${id} appeared within a minute: is the bucket's notification to fledge's S3 trigger in place?`, { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
