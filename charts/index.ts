/** Pure rendering of MarketplaceEnvironments into ACK resources. Never imports client-node or controllers/. */
export * from './render.js';
export * from './bindings.js';
export * from './naming.js';
export * from './context.js';
export * from './deletion-order.js';
export * from './outputs.js';
export { MarketplaceEnvironmentChart } from './marketplace-environment-chart.js';
