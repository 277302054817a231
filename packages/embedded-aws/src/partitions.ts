import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsService, LambdaInternal, LocalContext, MetricsInternal, ServiceRegistry } from './types';

/**
 * The services served per account and region (Lambda, and CloudWatch, which holds its functions'
 * metrics and alarms), in start order. Every other service is one, shared by all accounts and regions.
 */
export const PARTITIONED_SERVICES: readonly string[] = ['monitoring', 'lambda'];

/** A service factory (server.ts's `ServiceFactory`). */
type Factory = (context: LocalContext) => AwsService;

/** One account and region. */
export interface PartitionKey {
  readonly accountId: string;
  readonly region: string;
}

/**
 * The account+region partitions of the embedded AWS beyond the default one (the embedded AWS's own
 * account and region, whose services are the ones started with it, so that a single-account user
 * sees no change). A partition is built on its first request — its own Lambda and CloudWatch, over
 * the shared S3 and SNS — and keeps its state under `<dataDir>/partitions/<account>/<region>/`,
 * from where a restart brings it back.
 */
export class Partitions {
  private readonly built = new Map<string, Promise<ReadonlyMap<string, AwsService>>>();

  constructor(
    private readonly base: LocalContext,
    private readonly factories: ReadonlyMap<string, Factory>,
    private readonly shared: () => ServiceRegistry,
  ) {}

  /** Whether `key` is the default partition (the services started with the embedded AWS). */
  isDefault(key: PartitionKey): boolean {
    return key.accountId === this.base.accountId && key.region === this.base.region;
  }

  /** The partition's service `signingName`, building and starting the partition on first use. */
  async service(key: PartitionKey, signingName: string): Promise<AwsService | undefined> {
    return (await this.partition(key)).get(signingName);
  }

  /** Every partition built so far. */
  list(): readonly PartitionKey[] {
    return [...this.built.keys()].map((id) => {
      const [accountId = '', region = ''] = id.split('/');
      return { accountId, region };
    });
  }

  /** Brings back the partitions a previous run left in the data directory. */
  async restore(): Promise<void> {
    if (this.base.dataDir === undefined) return;
    const root = join(this.base.dataDir, 'partitions');
    const accounts = await readdir(root).catch(() => [] as string[]);
    for (const accountId of accounts.filter((name) => /^\d{12}$/.test(name))) {
      for (const region of await readdir(join(root, accountId)).catch(() => [] as string[])) {
        if (/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) await this.partition({ accountId, region });
      }
    }
  }

  /** Stops every partition's services, newest first. */
  async stop(): Promise<void> {
    for (const partition of [...this.built.values()].reverse()) {
      const services = await partition.catch(() => new Map<string, AwsService>());
      for (const service of [...services.values()].reverse()) {
        try {
          await service.stop?.();
        } catch (error) {
          this.base.log(`embedded AWS: stopping ${service.signingName} failed: ${(error as Error).message}`);
        }
      }
    }
    this.built.clear();
  }

  private partition(key: PartitionKey): Promise<ReadonlyMap<string, AwsService>> {
    const id = `${key.accountId}/${key.region}`;
    let partition = this.built.get(id);
    if (partition === undefined) {
      partition = this.build(key);
      this.built.set(id, partition);
      partition.catch(() => this.built.delete(id));
    }
    return partition;
  }

  private async build(key: PartitionKey): Promise<ReadonlyMap<string, AwsService>> {
    const services = new Map<string, AwsService>();
    const internal = <T>(name: string): T => {
      const found = services.get(name)?.internal;
      if (found === undefined) throw new Error(`embedded AWS: the ${name} service of ${key.accountId}/${key.region} is not running`);
      return found as T;
    };
    const registry: ServiceRegistry = {
      get lambda() { return internal<LambdaInternal>('lambda'); },
      get metrics() { return internal<MetricsInternal>('monitoring'); },
      get s3() { return shared().s3; },
      get sns() { return shared().sns; },
      // An account's alarm state changes go to its own default bus, which the embedded AWS does not serve.
      events: undefined,
    };
    const shared = this.shared;
    const context: LocalContext = {
      ...this.base,
      accountId: key.accountId,
      region: key.region,
      services: registry,
      dataDir: this.base.dataDir === undefined ? undefined : join(this.base.dataDir, 'partitions', key.accountId, key.region),
    };
    for (const name of PARTITIONED_SERVICES) {
      const factory = this.factories.get(name);
      if (factory) services.set(name, factory(context));
    }
    for (const service of services.values()) await service.start?.();
    return services;
  }
}
