/** Test helpers: load examples and render single constructs in isolation. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { EnvironmentContext } from '../../../charts/context.js';
import type { RenderedObject } from '../../../charts/render.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';
import { ROOT } from './ack-schemas.js';

/** How `example` adjusts the raw manifest before validation and defaulting. */
export interface ExampleOptions {
  /** Sets metadata.namespace (rendered children land in it). */
  readonly namespace?: string;
  /** Edits the raw, parsed manifest (after the namespace is set). */
  readonly patch?: (raw: Manifest) => void;
}

/**
 * The validated example whose file name starts with `prefixOrFile` (e.g. '000') or is `prefixOrFile`
 * (e.g. '001-marketplace-platform.yaml'), with `options` applied to the raw manifest first.
 */
export function example(prefixOrFile: string, options: ExampleOptions = {}): MarketplaceEnvironment {
  const file = prefixOrFile.length === 3 ? findExample(prefixOrFile) : prefixOrFile;
  const raw = parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Manifest;
  if (options.namespace !== undefined) raw.metadata.namespace = options.namespace;
  options.patch?.(raw);
  return validateEnvironment(raw);
}

function findExample(prefix: string): string {
  const file = readdirSync(join(ROOT, 'examples')).find((f) => f.startsWith(`${prefix}-`));
  if (!file) throw new Error(`no example ${prefix}-*.yaml`);
  return file;
}

/** A rendered object whose spec tests may walk freely. */
export type LooseObject = RenderedObject & { readonly spec: Manifest };

/**
 * Renders what `build` adds to a fresh chart in the environment's namespace (none when unset, as the environment
 * chart does), as plain JSON objects; `T` only narrows the static type (e.g. LooseObject).
 */
export function renderWith<T extends RenderedObject = RenderedObject>(env: MarketplaceEnvironment, build: (chart: Chart, ctx: EnvironmentContext) => void): T[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: env.metadata.namespace, disableResourceNameHashes: true });
  build(chart, new EnvironmentContext(env));
  return chart.toJson() as T[];
}

/** Objects of one kind. */
export const ofKind = <T extends RenderedObject>(objects: readonly T[], kind: string): T[] => objects.filter((o) => o.kind === kind);

const list = (objects: readonly RenderedObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');

/** The object of `kind` named `name`, or a test failure. */
export function named<T extends RenderedObject>(objects: readonly T[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${list(objects)}`);
  return found;
}

/** The only object of `kind`, or a test failure when there is none or more than one. */
export function only<T extends RenderedObject>(objects: readonly T[], kind: string): T {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length} among ${list(objects)}`);
  return found[0]!;
}
