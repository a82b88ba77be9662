/**
 * Rendering entry points: a pure function from a MarketplaceEnvironment to the ACK objects that realise it.
 * `npm run render`, `cdk8s synth` (main.ts) and the controller all call these, so what is reviewed is what is applied.
 * No clock, randomness, environment variables or network: the same input always gives the same output.
 */
import { App } from 'cdk8s';
import { validateEnvironment, type MarketplaceEnvironment } from '../api/index.js';
import { MarketplaceEnvironmentChart } from './marketplace-environment-chart.js';

/** A rendered child object (plain JSON, ready for server-side apply). */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    /** The environment's namespace; absent when the manifest has none (the controller always renders with one). */
    readonly namespace?: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly ownerReferences?: readonly Record<string, unknown>[];
  };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Renders a validated, defaulted environment (see api/validate.ts) into its children. */
export function renderEnvironment(env: MarketplaceEnvironment): RenderedObject[] {
  // Explicit props: App would otherwise read CDK8S_OUTDIR / CDK8S_RECORD_CONSTRUCT_METADATA from the environment.
  const app = new App({ outdir: 'dist', recordConstructMetadata: false });
  const chart = new MarketplaceEnvironmentChart(app, env.metadata.name, { env });
  return chart.toJson() as RenderedObject[];
}

/**
 * Validates and defaults a raw manifest, then renders it.
 * @throws SpecValidationError naming every offending field.
 */
export function renderManifest(input: unknown): RenderedObject[] {
  return renderEnvironment(validateEnvironment(input));
}
