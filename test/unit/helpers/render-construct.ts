/** Test helpers: load examples and render single constructs in isolation. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { EnvironmentContext } from '../../../charts/context.js';
import type { RenderedObject } from '../../../charts/render.js';
import { ROOT } from './ack-schemas.js';

/** The validated example whose file name starts with `prefix` (e.g. '000'). */
export function example(prefix: string): MarketplaceEnvironment {
  const file = prefix.length === 3 ? findExample(prefix) : prefix;
  return validateEnvironment(parse(readFileSync(join(ROOT, 'examples', file), 'utf8')));
}

function findExample(prefix: string): string {
  const file = readdirSync(join(ROOT, 'examples')).find((f) => f.startsWith(`${prefix}-`));
  if (!file) throw new Error(`no example ${prefix}-*.yaml`);
  return file;
}

/** Renders what `build` adds to a fresh chart in namespace `shop`, as plain JSON objects. */
export function renderWith(env: MarketplaceEnvironment, build: (chart: Chart, ctx: EnvironmentContext) => void): RenderedObject[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: env.metadata.namespace ?? 'default', disableResourceNameHashes: true });
  build(chart, new EnvironmentContext(env));
  return chart.toJson() as RenderedObject[];
}

/** Objects of one kind. */
export const ofKind = (objects: readonly RenderedObject[], kind: string): RenderedObject[] => objects.filter((o) => o.kind === kind);

/** The object of `kind` named `name`, or a test failure. */
export function named(objects: readonly RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
