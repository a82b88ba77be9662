/**
 * Validates rendered objects against ACK CRD OpenAPI schemas with Ajv, treating every structural object schema as
 * closed: a field the CRD does not declare fails, where the API server would silently prune it.
 *
 * Two schema sets: the CRDs this project fetched (.cache/ack-crds, hack/fetch-ack-crds.sh; for some services an
 * older tag than pinned, see docs/ack-versions.md), and, when present, the upstream CRDs at the pinned tags that
 * the workplace keeps beside the repository (../shared/ack-crds, read in place, never copied). An object must be
 * valid against every set that has its kind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

type Json = Record<string, unknown>;

/** Root of the repository. */
export const ROOT = resolve(import.meta.dirname, '../../..');
/** CRDs fetched by the project's own script. */
export const FETCHED_CRDS = join(ROOT, '.cache/ack-crds');
/** Pinned-tag CRDs beside the repository, when this checkout has them. */
export const PINNED_CRDS = resolve(ROOT, '../shared/ack-crds');

/** Adds additionalProperties: false to every object schema that lists properties and is not explicitly open. */
export function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === 'default' || k === 'enum' || k === 'example' ? v : closeSchema(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** A set of compiled CRD validators keyed by `apiVersion/kind`. */
export class CrdSchemaSet {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  constructor(readonly label: string, dir: string) {
    for (const file of yamlFiles(dir)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const crd = doc.toJS() as Json | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Json } }[] };
        for (const version of spec.versions) {
          const schema = closeSchema(version.schema.openAPIV3Schema) as Json;
          // metadata is validated by the API server itself, not by the CRD schema.
          (schema.properties as Json).metadata = { type: 'object' };
          this.validators.set(`${spec.group}/${version.name}/${spec.names.kind}`, this.ajv.compile(schema));
        }
      }
    }
  }

  /** Number of kinds loaded. */
  get size(): number {
    return this.validators.size;
  }

  /** Whether the set has a schema for `obj`'s kind. */
  has(obj: { apiVersion: string; kind: string }): boolean {
    return this.validators.has(`${obj.apiVersion}/${obj.kind}`);
  }

  /** Validation errors of `obj` (`path: message`), or [] when valid. */
  errors(obj: { apiVersion: string; kind: string }): string[] {
    const validate = this.validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) return [`${this.label}: no CRD for ${obj.apiVersion} ${obj.kind}`];
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return `${this.label}: ${e.instancePath || '/'}${extra ? `/${extra}` : ''} ${e.message}`;
    });
  }
}

/** The schema sets available in this checkout (fetched always; pinned when ../shared/ack-crds exists). */
export function availableSchemaSets(): CrdSchemaSet[] {
  const sets = [new CrdSchemaSet('fetched', FETCHED_CRDS)];
  if (existsSync(PINNED_CRDS)) sets.push(new CrdSchemaSet('pinned', PINNED_CRDS));
  return sets;
}

let shared: CrdSchemaSet[] | undefined;

/** availableSchemaSets(), compiled once per test file (Jest gives every test file its own module registry). */
export function schemaSets(): CrdSchemaSet[] {
  return (shared ??= availableSchemaSets());
}

/**
 * Which schema sets must have a CRD for every object checked (a set that has the kind always validates it):
 * - `every`: every available set, the fetched one included;
 * - `pinned`: the pinned set, when this checkout has it (for services the project's own script does not fetch).
 */
export type CrdCoverage = 'every' | 'pinned';

/**
 * Schema errors of `objects` (`<kind> <name>: <set>: <path> <message>`), [] when all are valid: every set that has an
 * object's kind validates it, and every set that `coverage` requires but lacks the kind reports `no CRD for ...`.
 */
export function crdErrors(objects: readonly { apiVersion: string; kind: string; metadata: { name: string } }[], coverage: CrdCoverage = 'every', sets: readonly CrdSchemaSet[] = schemaSets()): string[] {
  return objects.flatMap((o) =>
    sets
      .filter((set) => set.has(o) || coverage === 'every' || set.label === 'pinned')
      .flatMap((set) => set.errors(o).map((e) => `${o.kind} ${o.metadata.name}: ${e}`)),
  );
}
