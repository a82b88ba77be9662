/**
 * Deterministic names, labels, annotations and AWS tags for everything an environment renders.
 * Kubernetes names: <environment name>-<part>...; AWS names: <project>-<part>-<environmentSuffix>.
 */
import { API_VERSION, GROUP, KIND, type MarketplaceEnvironment } from '../api/index.js';

/** Label/annotation prefix of the operator. */
export const PREFIX = GROUP;
/** Label naming the owning environment on every child. */
export const ENVIRONMENT_LABEL = `${PREFIX}/environment`;
/** Label naming the spec section a child belongs to. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
/** Value of app.kubernetes.io/managed-by on every child. */
export const MANAGED_BY = 'marketplace-operator';

/** Spec sections, as used in the component label and in status.components. */
export type Component = 'network' | 'security' | 'encryption' | 'database' | 'cache' | 'storage' | 'cdn' | 'firewall' | 'secrets' | 'loadBalancer' | 'compute' | 'registry' | 'tables' | 'functions' | 'api' | 'monitoring' | 'dns' | 'identity';

/** AWS tag in the `{key, value}` shape most ACK kinds use. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Naming and metadata helpers bound to one environment. */
export class EnvironmentNames {
  constructor(private readonly env: MarketplaceEnvironment) {}

  /** Kubernetes name of a child: `<env>-<parts...>`. */
  k8s(...parts: (string | number)[]): string {
    return [this.env.metadata.name, ...parts].join('-');
  }

  /** AWS name: `<project>-<parts...>-<environmentSuffix>`, lower case. */
  aws(...parts: (string | number)[]): string {
    const { project, environmentSuffix } = this.env.spec;
    return [project, ...parts, environmentSuffix].join('-').toLowerCase();
  }

  /** Kubernetes name of the Bucket with short name `bucket` (storage renders it; bindings and outputs name it). */
  bucket(bucket: string): string {
    return this.k8s('bucket', bucket);
  }

  /** S3 name of the bucket with short name `bucket`: `<project>-<bucket>-<environmentSuffix>` (the CDN's origins use it). */
  bucketAwsName(bucket: string): string {
    return this.aws(bucket);
  }

  /** Kubernetes name of the CloudFront Distribution (the CDN renders it; the bucket policies bind to its ARN). */
  distribution(): string {
    return this.k8s('cdn');
  }

  /**
   * Name of the ConfigMap recording the AWS ids of the environment's retained id-keyed children (charts/adoption.ts):
   * written by the controller, without an owner reference so it outlives the environment it serves.
   */
  retainedIds(): string {
    return this.k8s('retained-ids');
  }

  /** Labels on every child of `component`. */
  labels(component: Component): Record<string, string> {
    return {
      'app.kubernetes.io/managed-by': MANAGED_BY,
      'app.kubernetes.io/part-of': this.env.spec.project,
      [COMPONENT_LABEL]: component,
      [ENVIRONMENT_LABEL]: this.env.metadata.name,
    };
  }

  /**
   * AWS tags on every resource (Name added for kinds that display it). The environment tag says which environment
   * owns the AWS resource: `<namespace>/<name>`. The controller always renders with the namespace the API server
   * gave the environment. A manifest without a namespace (`npm run render`, applied with `kubectl apply -n ...`) does
   * not know where its children will land, so its tag is `<name>` alone rather than a guessed `default/<name>`, which
   * would name a namespace they may never be in (and the identity of a real environment of that name in `default`).
   * A name never contains `/`, so a tag without one reads "namespace not known when rendered".
   */
  tags(name?: string): Tag[] {
    const { spec, metadata } = this.env;
    const tags: Record<string, string> = {
      ...spec.tags.additional,
      Environment: spec.tags.environment,
      Project: spec.project,
      Owner: spec.tags.owner,
      ManagedBy: MANAGED_BY,
      [`${PREFIX}/environment`]: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name,
    };
    if (name) tags.Name = name;
    return Object.entries(tags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value }));
  }

  /** ownerReferences pointing at the environment, when it has a uid (i.e. it came from the API server). */
  ownerReferences(): { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[] {
    const { uid, name } = this.env.metadata;
    return uid ? [{ apiVersion: API_VERSION, kind: KIND, name, uid, controller: true, blockOwnerDeletion: false }] : [];
  }
}
