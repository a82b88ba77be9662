/** Test helpers: load examples and render single constructs in isolation. */
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { EnvironmentContext } from '../../../charts/context.js';
import type { RenderedObject } from '../../../charts/render.js';
import { exampleEnvironments, type ExampleEnvironment } from '../../../cli/examples.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';
import { ROOT } from './ack-schemas.js';

/** How `example` adjusts the raw manifest before validation and defaulting. */
export interface ExampleOptions {
  /** Sets metadata.namespace (rendered children land in it). */
  readonly namespace?: string;
  /** Edits the raw, parsed manifest (after the namespace is set). */
  readonly patch?: (raw: Manifest) => void;
}

/** Every environment of every example (several per file where a file holds one per region), read once. */
export const EXAMPLE_ENVIRONMENTS: readonly ExampleEnvironment[] = exampleEnvironments(join(ROOT, 'examples'));

/**
 * The validated example environment `key` names, with `options` applied to the raw manifest first. `key` is an
 * environment's metadata.name (e.g. 'trading-useast2'), or a file's 3-character prefix (e.g. '000') or file name
 * (e.g. '001-marketplace-platform.yaml'), which name the file's first environment (example 003: us-east-1).
 */
export function example(key: string, options: ExampleOptions = {}): MarketplaceEnvironment {
  const raw = structuredClone(findExample(key).manifest) as Manifest;
  if (options.namespace !== undefined) raw.metadata.namespace = options.namespace;
  options.patch?.(raw);
  return validateEnvironment(raw);
}

function findExample(key: string): ExampleEnvironment {
  const found = EXAMPLE_ENVIRONMENTS.find((e) => e.manifest.metadata.name === key) ?? EXAMPLE_ENVIRONMENTS.find((e) => e.index === 0 && (e.file === key || e.file.startsWith(`${key}-`)));
  if (!found) throw new Error(`no example environment ${key} (neither an environment name nor a file ${key}-*.yaml)`);
  return found;
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

/** Paths (`Kind name /json/pointer`) where two renders of the same children differ (the children must be the same). */
export function differences(a: readonly RenderedObject[], b: readonly RenderedObject[]): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Manifest)[k], (y as Manifest)[k], `${path}/${k}`);
    } else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(path);
  };
  expect(b.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(a.map((o) => `${o.kind}/${o.metadata.name}`));
  a.forEach((o, i) => walk(o, b[i], `${o.kind} ${o.metadata.name} `));
  return out;
}
