/**
 * Storage of the leader-election record in a `coordination.k8s.io/v1` Lease, behind an interface
 * so the election logic is unit-tested against an in-memory lock.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { formatMicroTime } from './clock.js';
import { isNotFound } from './errors.js';
import { RawObjectApi } from './object-api.js';

/** The Lease spec fields leader election uses, with times as epoch milliseconds. */
export interface LeaseRecord {
  /** Empty or absent when nobody holds the lease (after a release). */
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: number;
  readonly renewTime?: number;
  readonly leaseTransitions?: number;
}

/** A record as read from the server, with the resourceVersion to update it against. */
export interface ObservedLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/**
 * Reads and writes one Lease with optimistic concurrency: `create` fails with 409 if the Lease
 * exists, `update` fails with 409 if `resourceVersion` is stale. Those 409s are what make two
 * candidates unable to both win.
 */
export interface LeaseLock {
  /** The current record, or `undefined` if the Lease does not exist yet. */
  get(): Promise<ObservedLease | undefined>;
  create(record: LeaseRecord): Promise<ObservedLease>;
  update(record: LeaseRecord, resourceVersion: string): Promise<ObservedLease>;
  /** `namespace/name`, for logs. */
  describe(): string;
}

/** Lease JSON as the API server sends it (MicroTime strings). */
interface LeaseJson {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/**
 * {@link LeaseLock} on the API server. Uses literal paths (no discovery round trip) and plain JSON
 * through {@link RawObjectApi}: the generated `CoordinationV1Api` would hand back `renewTime` as
 * a string typed `V1MicroTime`, and send a `Date` with millisecond precision, which the server
 * rejects for MicroTime fields.
 */
export class KubeLeaseLock implements LeaseLock {
  private readonly collection: string;

  constructor(
    private readonly api: RawObjectApi,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  }

  /** Lock on Lease `namespace/name` of the kubeconfig's current cluster. */
  static fromKubeConfig(kc: KubeConfig, lease: { namespace: string; name: string }): KubeLeaseLock {
    return new KubeLeaseLock(RawObjectApi.fromKubeConfig(kc), lease.namespace, lease.name);
  }

  async get(): Promise<ObservedLease | undefined> {
    try {
      return toObserved(await this.api.send<LeaseJson>({ method: 'GET', path: this.itemPath() }));
    } catch (err) {
      if (isNotFound(err)) {
        return undefined;
      }
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<ObservedLease> {
    const body = this.toJson(record, undefined);
    return toObserved(await this.api.send<LeaseJson>({ method: 'POST', path: this.collection, body }));
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<ObservedLease> {
    const body = this.toJson(record, resourceVersion);
    return toObserved(await this.api.send<LeaseJson>({ method: 'PUT', path: this.itemPath(), body }));
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  private itemPath(): string {
    return `${this.collection}/${encodeURIComponent(this.name)}`;
  }

  private toJson(record: LeaseRecord, resourceVersion: string | undefined): object {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace, resourceVersion },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: record.acquireTime === undefined ? undefined : formatMicroTime(record.acquireTime),
        renewTime: record.renewTime === undefined ? undefined : formatMicroTime(record.renewTime),
        leaseTransitions: record.leaseTransitions,
      },
    };
  }
}

function toObserved(lease: LeaseJson): ObservedLease {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: parseTime(spec.acquireTime),
      renewTime: parseTime(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

function parseTime(value: string | undefined): number | undefined {
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
