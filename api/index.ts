/** The MarketplaceEnvironment API: schema, types, CRD and validation. */
export * from './types.js';
export * from './spec.js';
export * from './status.js';
export * from './network.js';
export * from './data.js';
export * from './edge.js';
export * from './security.js';
export * from './load-balancer.js';
export * from './compute.js';
export * from './containers.js';
export * from './instances.js';
export * from './subnet-plan.js';
export * from './validate.js';
export { buildCrd } from './crd.js';
export type { CelRule } from './schema-kit.js';
