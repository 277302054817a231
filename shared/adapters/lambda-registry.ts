import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type AliasConfiguration,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { AliasDriftedError, ArtifactUnavailableError, FunctionNotFoundError, FunctionUpdateFailedError, IncompatibleVersionsError, ProvisionedConcurrencyError, TransientAwsError } from '../model/engine-errors';
import { describeArtifact, type AliasRouting, type AliasState, type CodeArtifact } from '../model/deployment';
import type { FunctionConfigurationSpec } from '../model/spec';
import type { Clock } from '../ports/clock';
import type { FunctionState, InvokeResult, LambdaRegistry, ProvisionedConcurrency, PublishedVersion } from '../ports/lambda-registry';
import { sdkError, translate } from './aws-errors';

/**
 * {@link LambdaRegistry} over the Lambda API. Polling for `LastUpdateStatus` uses the injected
 * clock rather than the SDK waiters (`waitUntilFunctionUpdatedV2` sleeps in real time with a
 * 1 s minimum), so local runs on the simulated clock wait simulated time, like AWS would.
 */
export class LambdaRegistryAdapter implements LambdaRegistry {
  constructor(
    private readonly client: LambdaClient,
    private readonly clock: Clock,
  ) {}

  async getFunction(functionName: string, qualifier?: string): Promise<FunctionState | undefined> {
    try {
      return toFunctionState(await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) })));
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return undefined;
      throw translate(error, `GetFunctionConfiguration ${functionName}${qualifier ? `:${qualifier}` : ''}`);
    }
  }

  async createFunction(input: { functionName: string; artifact: CodeArtifact; configuration: FunctionConfigurationSpec; tags: Readonly<Record<string, string>> }): Promise<FunctionState> {
    const c = input.configuration;
    try {
      const out = await this.client.send(
        new CreateFunctionCommand({
          FunctionName: input.functionName,
          Role: c.role,
          ...('imageUri' in input.artifact ? { PackageType: 'Image', Code: { ImageUri: input.artifact.imageUri } } : { PackageType: 'Zip', Code: s3Code(input.artifact), Runtime: c.runtime as never, Handler: c.handler }),
          ...configurationFields(c),
          ...(c.architectures ? { Architectures: [...c.architectures] } : {}),
          Tags: { ...input.tags },
          Publish: false,
        }),
      );
      return toFunctionState(out);
    } catch (error) {
      // A retried create whose first attempt succeeded: the function is there now.
      if (sdkError(error).name === 'ResourceConflictException') {
        const existing = await this.getFunction(input.functionName);
        if (existing) return existing;
      }
      throw unavailableArtifact(error, input.artifact) ?? this.translateFunctionError(error, `CreateFunction ${input.functionName}`);
    }
  }

  async updateConfiguration(input: { functionName: string; configuration: FunctionConfigurationSpec; revisionId?: string }): Promise<FunctionState> {
    const c = input.configuration;
    try {
      return toFunctionState(
        await this.client.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: input.functionName,
            ...(c.role ? { Role: c.role } : {}),
            ...(c.runtime ? { Runtime: c.runtime as never } : {}),
            ...(c.handler ? { Handler: c.handler } : {}),
            ...configurationFields(c),
            ...(input.revisionId ? { RevisionId: input.revisionId } : {}),
          }),
        ),
      );
    } catch (error) {
      throw this.translateFunctionError(error, `UpdateFunctionConfiguration ${input.functionName}`);
    }
  }

  async updateCode(input: { functionName: string; artifact: CodeArtifact; revisionId?: string }): Promise<FunctionState> {
    try {
      return toFunctionState(
        await this.client.send(
          new UpdateFunctionCodeCommand({
            FunctionName: input.functionName,
            ...('imageUri' in input.artifact
              ? { ImageUri: input.artifact.imageUri }
              : { S3Bucket: input.artifact.bucket, S3Key: input.artifact.key, ...(input.artifact.versionId ? { S3ObjectVersion: input.artifact.versionId } : {}) }),
            ...(input.revisionId ? { RevisionId: input.revisionId } : {}),
            Publish: false,
          }),
        ),
      );
    } catch (error) {
      throw unavailableArtifact(error, input.artifact) ?? this.translateFunctionError(error, `UpdateFunctionCode ${input.functionName}`);
    }
  }

  async waitUntilSettled(functionName: string, options: { timeoutMs: number }): Promise<FunctionState> {
    const busy = (fn: FunctionState | undefined) => fn !== undefined && (fn.state === 'Pending' || fn.lastUpdateStatus === 'InProgress');
    const fn = await this.poll(() => this.getFunction(functionName), busy, options.timeoutMs);
    if (!fn) throw new FunctionNotFoundError(`function ${functionName} does not exist`);
    if (busy(fn)) throw new TransientAwsError(`function ${functionName} still ${fn.state === 'Pending' ? 'Pending' : 'InProgress'} after ${Math.round(options.timeoutMs / 1000)} s`);
    return fn;
  }

  async waitForVersion(functionName: string, version: string, options: { timeoutMs: number }): Promise<FunctionState | undefined> {
    return this.poll(() => this.getFunction(functionName, version), (fn) => fn?.state === 'Pending', options.timeoutMs);
  }

  /** Reads until `busy` is false or `timeoutMs` of the injected clock has passed; returns the last read. */
  private async poll<T>(read: () => Promise<T>, busy: (value: T) => boolean, timeoutMs: number): Promise<T> {
    const giveUpAt = this.clock.now() + timeoutMs;
    let delay = 250;
    for (;;) {
      const value = await read();
      if (!busy(value)) return value;
      const left = giveUpAt - this.clock.now();
      if (left <= 0) return value;
      await this.clock.sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 5000);
    }
  }

  async publishVersion(input: { functionName: string; codeSha256: string; revisionId: string; description?: string }): Promise<PublishedVersion> {
    try {
      const out = await this.client.send(
        new PublishVersionCommand({ FunctionName: input.functionName, CodeSha256: input.codeSha256, RevisionId: input.revisionId, ...(input.description ? { Description: input.description } : {}) }),
      );
      if (!out.Version || !out.CodeSha256 || !out.RevisionId) throw new TransientAwsError(`PublishVersion ${input.functionName}: incomplete response`);
      return { version: out.Version, codeSha256: out.CodeSha256, revisionId: out.RevisionId };
    } catch (error) {
      const e = sdkError(error);
      if (e.name === 'InvalidParameterValueException' && /sha/i.test(e.message)) {
        throw new FunctionUpdateFailedError(`PublishVersion ${input.functionName}: the code of $LATEST is no longer ${input.codeSha256}: someone else is pushing to it`, { cause: error });
      }
      throw this.translateFunctionError(error, `PublishVersion ${input.functionName}`);
    }
  }

  async getAlias(functionName: string, alias: string): Promise<AliasState | undefined> {
    try {
      return toAliasState(await this.client.send(new GetAliasCommand({ FunctionName: functionName, Name: alias })));
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return undefined;
      throw translate(error, `GetAlias ${functionName}:${alias}`);
    }
  }

  async createAlias(input: { functionName: string; alias: string; routing: AliasRouting; description?: string }): Promise<AliasState> {
    try {
      return toAliasState(
        await this.client.send(
          new CreateAliasCommand({
            FunctionName: input.functionName,
            Name: input.alias,
            FunctionVersion: input.routing.version,
            RoutingConfig: { AdditionalVersionWeights: { ...input.routing.weights } },
            ...(input.description ? { Description: input.description } : {}),
          }),
        ),
      );
    } catch (error) {
      if (sdkError(error).name === 'ResourceConflictException' && /exist/i.test(sdkError(error).message)) {
        throw new AliasDriftedError(`CreateAlias ${input.functionName}:${input.alias}: the alias already exists`, { cause: error });
      }
      throw this.translateRoutingError(error, input.routing, `CreateAlias ${input.functionName}:${input.alias}`);
    }
  }

  async updateAlias(input: { functionName: string; alias: string; routing: AliasRouting; revisionId: string }): Promise<AliasState> {
    try {
      return toAliasState(
        await this.client.send(
          new UpdateAliasCommand({
            FunctionName: input.functionName,
            Name: input.alias,
            FunctionVersion: input.routing.version,
            // An empty map clears the routing: that, not {new: 1.0}, is a promotion.
            RoutingConfig: { AdditionalVersionWeights: { ...input.routing.weights } },
            RevisionId: input.revisionId,
          }),
        ),
      );
    } catch (error) {
      if (sdkError(error).name === 'PreconditionFailedException') {
        throw new AliasDriftedError(`UpdateAlias ${input.functionName}:${input.alias}: the alias changed since revision ${input.revisionId}`, { cause: error });
      }
      throw this.translateRoutingError(error, input.routing, `UpdateAlias ${input.functionName}:${input.alias}`);
    }
  }

  async deleteAlias(functionName: string, alias: string): Promise<void> {
    try {
      await this.client.send(new DeleteAliasCommand({ FunctionName: functionName, Name: alias }));
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return;
      throw this.translateFunctionError(error, `DeleteAlias ${functionName}:${alias}`);
    }
  }

  async listAliases(functionName: string): Promise<readonly (AliasState & { readonly name: string })[]> {
    const aliases: (AliasState & { name: string })[] = [];
    let marker: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListAliasesCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const alias of out.Aliases ?? []) aliases.push({ ...toAliasState(alias), name: alias.Name ?? '' });
        marker = out.NextMarker;
      } while (marker);
    } catch (error) {
      throw this.translateFunctionError(error, `ListAliases ${functionName}`);
    }
    return aliases;
  }

  async invoke(input: { functionName: string; qualifier?: string; payload: unknown }): Promise<InvokeResult> {
    try {
      const out = await this.client.send(
        new InvokeCommand({
          FunctionName: input.functionName,
          ...(input.qualifier ? { Qualifier: input.qualifier } : {}),
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(input.payload ?? {})),
        }),
      );
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      let payload: unknown = text;
      try {
        payload = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { payload, ...(out.FunctionError ? { functionError: out.FunctionError } : {}), ...(out.ExecutedVersion ? { executedVersion: out.ExecutedVersion } : {}) };
    } catch (error) {
      throw this.translateFunctionError(error, `Invoke ${input.functionName}${input.qualifier ? `:${input.qualifier}` : ''}`);
    }
  }

  async listVersions(functionName: string): Promise<readonly string[]> {
    const versions: string[] = [];
    let marker: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const fn of out.Versions ?? []) if (fn.Version && fn.Version !== '$LATEST') versions.push(fn.Version);
        marker = out.NextMarker;
      } while (marker);
    } catch (error) {
      throw this.translateFunctionError(error, `ListVersionsByFunction ${functionName}`);
    }
    return versions.sort((a, b) => Number(a) - Number(b));
  }

  async deleteVersion(functionName: string, version: string): Promise<void> {
    if (!/^\d+$/.test(version)) throw new FunctionUpdateFailedError(`refusing to delete ${functionName}:${version}: not a numbered version`);
    try {
      await this.client.send(new DeleteFunctionCommand({ FunctionName: functionName, Qualifier: version }));
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return;
      throw this.translateFunctionError(error, `DeleteFunction ${functionName}:${version}`);
    }
  }

  async getProvisionedConcurrency(functionName: string, qualifier: string): Promise<ProvisionedConcurrency | undefined> {
    try {
      return toProvisionedConcurrency(await this.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier })));
    } catch (error) {
      if (sdkError(error).name === 'ProvisionedConcurrencyConfigNotFoundException') return undefined;
      throw this.translateFunctionError(error, `GetProvisionedConcurrencyConfig ${functionName}:${qualifier}`);
    }
  }

  async putProvisionedConcurrency(functionName: string, qualifier: string, amount: number): Promise<ProvisionedConcurrency> {
    try {
      return toProvisionedConcurrency(await this.client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier, ProvisionedConcurrentExecutions: amount })));
    } catch (error) {
      const e = sdkError(error);
      const what = `PutProvisionedConcurrencyConfig ${functionName}:${qualifier} (${amount})`;
      // Refusals that no retry changes: the account's unreserved minimum, an alias with weights, a
      // version whose PC an alias already allocates ("update in progress" conflicts stay transient).
      if (e.name === 'InvalidParameterValueException' || (e.name === 'ResourceConflictException' && !/in progress/i.test(e.message))) {
        throw new ProvisionedConcurrencyError(`${what}: Lambda refused it: ${e.message}`, { cause: error });
      }
      throw this.translateFunctionError(error, what);
    }
  }

  async deleteProvisionedConcurrency(functionName: string, qualifier: string): Promise<void> {
    try {
      await this.client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }));
    } catch (error) {
      const name = sdkError(error).name;
      // A retried delete whose first attempt succeeded, or a version deleted meanwhile.
      if (name === 'ResourceNotFoundException' || name === 'ProvisionedConcurrencyConfigNotFoundException') return;
      throw this.translateFunctionError(error, `DeleteProvisionedConcurrencyConfig ${functionName}:${qualifier}`);
    }
  }

  /** Lambda's refusal to split an alias between versions with different roles or dead-letter queues: the alias is unchanged. */
  private translateRoutingError(error: unknown, routing: AliasRouting, what: string): Error {
    const e = sdkError(error);
    if (e.name === 'InvalidParameterValueException' && /execution role|dead.?letter/i.test(e.message)) {
      const other = Object.keys(routing.weights)[0] ?? '?';
      return new IncompatibleVersionsError(
        `${what}: Lambda cannot split the alias between version ${routing.version} and version ${other} (${e.message}); use strategy allAtOnce or blueGreen for this change`,
        { cause: error },
      );
    }
    return this.translateFunctionError(error, what);
  }

  private translateFunctionError(error: unknown, what: string): Error {
    const e = sdkError(error);
    // "An update is in progress": the same call works once the update settles.
    if (e.name === 'ResourceConflictException') return new TransientAwsError(`${what}: ${e.message}`, { cause: error });
    if (e.name === 'ResourceNotFoundException') return new FunctionNotFoundError(`${what}: ${e.message}`, { cause: error });
    if (e.name === 'PreconditionFailedException') {
      return new FunctionUpdateFailedError(`${what}: the function changed meanwhile (revision mismatch): someone else is updating it`, { cause: error });
    }
    return translate(error, what);
  }
}

/**
 * Lambda's own words for code it cannot fetch with the caller's permissions, as a named,
 * non-retryable {@link ArtifactUnavailableError}: "Error occurred while GetObject. S3 Error Code:
 * NoSuchKey|AccessDenied|NoSuchBucket…" for a zip, "Source image … does not exist" or "Lambda does
 * not have permission to access the ECR image" for an image. `undefined` for any other error.
 */
function unavailableArtifact(error: unknown, artifact: CodeArtifact): ArtifactUnavailableError | undefined {
  const e = sdkError(error);
  if (e.name !== 'InvalidParameterValueException' && e.name !== 'AccessDeniedException') return undefined;
  const where = describeArtifact(artifact);
  if (/Error occurred while GetObject/i.test(e.message)) {
    const code = /S3 Error Code:\s*([A-Za-z]+)/i.exec(e.message)?.[1];
    return new ArtifactUnavailableError(where, `Lambda could not read it${code ? `: S3 answered ${code}` : ' from S3'}`, { cause: error });
  }
  if ('imageUri' in artifact && /source image .*(does not exist|not found)|permission to access the ECR image/i.test(e.message)) {
    return new ArtifactUnavailableError(where, 'Lambda could not pull the image from ECR', { cause: error });
  }
  return undefined;
}

function s3Code(artifact: { bucket: string; key: string; versionId?: string }) {
  return { S3Bucket: artifact.bucket, S3Key: artifact.key, ...(artifact.versionId ? { S3ObjectVersion: artifact.versionId } : {}) };
}

function configurationFields(c: FunctionConfigurationSpec) {
  return {
    ...(c.memorySize !== undefined ? { MemorySize: c.memorySize } : {}),
    ...(c.timeout !== undefined ? { Timeout: c.timeout } : {}),
    ...(c.environment ? { Environment: { Variables: { ...c.environment } } } : {}),
    ...(c.description !== undefined ? { Description: c.description } : {}),
    ...(c.layers ? { Layers: [...c.layers] } : {}),
    ...(c.deadLetterTarget ? { DeadLetterConfig: { TargetArn: c.deadLetterTarget } } : {}),
  };
}

function toFunctionState(fn: FunctionConfiguration): FunctionState {
  return {
    functionName: fn.FunctionName ?? '',
    functionArn: fn.FunctionArn ?? '',
    version: fn.Version ?? '$LATEST',
    ...(fn.State ? { state: fn.State } : {}),
    ...(fn.StateReason ? { stateReason: fn.StateReason } : {}),
    ...(fn.LastUpdateStatus ? { lastUpdateStatus: fn.LastUpdateStatus } : {}),
    ...(fn.LastUpdateStatusReason ? { lastUpdateStatusReason: fn.LastUpdateStatusReason } : {}),
    codeSha256: fn.CodeSha256 ?? '',
    revisionId: fn.RevisionId ?? '',
    ...(fn.Role ? { role: fn.Role } : {}),
    ...(fn.DeadLetterConfig?.TargetArn ? { deadLetterTargetArn: fn.DeadLetterConfig.TargetArn } : {}),
    ...(fn.SnapStart?.ApplyOn === 'PublishedVersions' ? { snapStart: true } : {}),
  };
}

function toProvisionedConcurrency(out: { RequestedProvisionedConcurrentExecutions?: number; AllocatedProvisionedConcurrentExecutions?: number; Status?: string; StatusReason?: string }): ProvisionedConcurrency {
  const status = out.Status === 'READY' || out.Status === 'FAILED' ? out.Status : 'IN_PROGRESS';
  return { requested: out.RequestedProvisionedConcurrentExecutions ?? 0, allocated: out.AllocatedProvisionedConcurrentExecutions ?? 0, status, ...(out.StatusReason ? { statusReason: out.StatusReason } : {}) };
}

function toAliasState(alias: AliasConfiguration): AliasState {
  return {
    version: alias.FunctionVersion ?? '',
    weights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) },
    revisionId: alias.RevisionId ?? '',
  };
}
