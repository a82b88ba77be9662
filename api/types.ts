/** The MarketplaceEnvironment resource: group, version, kind and the TypeScript shape of a whole object. */
import type { MarketplaceEnvironmentSpec } from './spec.js';
import type { MarketplaceEnvironmentStatus } from './status.js';

/** API group of the operator's own resources. */
export const GROUP = 'marketplace.platform.dev';
/** Served and stored version. */
export const VERSION = 'v1alpha1';
/** Kind. */
export const KIND = 'MarketplaceEnvironment';
/** Plural resource name. */
export const PLURAL = 'marketplaceenvironments';
/** apiVersion string. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Object metadata the operator reads. */
export interface EnvironmentMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly deletionTimestamp?: string | Date;
  readonly finalizers?: readonly string[];
}

/** A whole MarketplaceEnvironment, spec defaulted. */
export interface MarketplaceEnvironment {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof KIND;
  readonly metadata: EnvironmentMetadata;
  readonly spec: MarketplaceEnvironmentSpec;
  readonly status?: MarketplaceEnvironmentStatus;
}
