/** What every construct of an environment needs: the defaulted spec, names and metadata helpers. */
import type { ApiObjectMetadata } from 'cdk8s';
import type { MarketplaceEnvironment, MarketplaceEnvironmentSpec } from '../api/index.js';
import { adoptionAnnotations, type IdentityFields } from './adoption.js';
import { bindingAnnotations, type Binding, type GeneratedSecret } from './bindings.js';
import { EnvironmentNames, type Component } from './naming.js';
import { outputAnnotations, type OutputDeclaration } from './outputs.js';

/** ACK annotation choosing what happens to the AWS resource when its custom resource is deleted. */
export const DELETION_POLICY_ANNOTATION = 'services.k8s.aws/deletion-policy';
/** ACK annotation choosing the AWS region of one resource. */
export const REGION_ANNOTATION = 'services.k8s.aws/region';

/** Options for the metadata of one child. */
export interface ChildMetadataOptions {
  /** Holds data (database, cache, bucket, key, secret): carries the environment's deletion policy. @default false */
  readonly dataBearing?: boolean;
  /**
   * A retained database or cache depends on it (VPC, its subnets and route tables, subnet groups, security groups):
   * with deletionPolicy Retain and a database or cache, it is retained too. Deleting it in AWS would fail while the
   * retained data store uses it, and the environment's deletion would never finish. @default false
   */
  readonly underpinsData?: boolean;
  /** Values the controller fills in from other children (see bindings.ts). @default none */
  readonly bindings?: readonly Binding[];
  /** Kubernetes Secrets the controller generates before applying this child. @default none */
  readonly generatedSecrets?: readonly GeneratedSecret[];
  /** Fields of this child that become entries of the environment's status.outputs (see outputs.ts). @default none */
  readonly outputs?: readonly OutputDeclaration[];
  /** Region override (CLOUDFRONT-scope WAF lives in us-east-1). @default spec.region */
  readonly region?: string;
  /** Further annotations. @default none */
  readonly annotations?: Record<string, string>;
  /**
   * Where the AWS id of a kind keyed by an id AWS generates is (adoption.ts IDENTITY): declared on the child when it
   * is retained, so a recreated environment adopts it. @default none: AWS knows the resource by a name in the spec
   */
  readonly identity?: IdentityFields;
}

/** A reference to another ACK resource in the same namespace (`{from: {name}}`). */
export interface AckRef {
  readonly from: { readonly name: string };
}

/** Shared, read-only rendering context of one environment. */
export class EnvironmentContext {
  /** Naming helpers. */
  readonly names: EnvironmentNames;

  constructor(readonly env: MarketplaceEnvironment) {
    this.names = new EnvironmentNames(env);
  }

  /** The defaulted spec. */
  get spec(): MarketplaceEnvironmentSpec {
    return this.env.spec;
  }

  /** Metadata of a child named `name` belonging to `component`. */
  metadata(component: Component, name: string, options: ChildMetadataOptions = {}): ApiObjectMetadata {
    const annotations: Record<string, string> = {
      [REGION_ANNOTATION]: options.region ?? this.spec.region,
      ...bindingAnnotations(options.bindings ?? [], options.generatedSecrets ?? []),
      ...outputAnnotations(options.outputs ?? []),
      ...options.annotations,
    };
    const retain = this.spec.deletionPolicy === 'Retain';
    if (options.dataBearing) annotations[DELETION_POLICY_ANNOTATION] = retain ? 'retain' : 'delete';
    else if (options.underpinsData && retain && (this.spec.database || this.spec.cache)) annotations[DELETION_POLICY_ANNOTATION] = 'retain';
    // What Retain keeps, a recreated environment adopts (adoption.ts).
    Object.assign(annotations, adoptionAnnotations(annotations[DELETION_POLICY_ANNOTATION] === 'retain', options.identity));
    const ownerReferences = this.names.ownerReferences();
    return {
      name,
      labels: this.names.labels(component),
      annotations,
      ...(ownerReferences.length > 0 ? { ownerReferences } : {}),
    };
  }

  /** `{from: {name}}` reference to a child rendered under `name`. */
  ref(name: string): AckRef {
    return { from: { name } };
  }
}
