/**
 * Validates rendered objects against ACK CRD OpenAPI schemas with Ajv, treating every structural object schema as
 * closed: a field the CRD does not declare fails, where the API server would silently prune it.
 *
 * Two schema sets, from the sources localcluster/ack-crd-sources.ts decides on: `proxy`, the CRDs fetched from the Go
 * module proxy (for some services an older tag than pinned, see docs/ack-versions.md), and `pinned`, the upstream CRDs
 * at the pinned tags in ACK_CRDS_DIR (when there is such a directory). An object must be valid against every set that
 * has its kind, and at least one must have it; a test needing a kind no source provides is declared with
 * {@link crdTest}, which skips it with the reason (or fails it under CI=true).
 */
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { AckCrdSources, type AckCrd, type KindRef } from '../../../localcluster/ack-crd-sources.js';
import { testRequiring, type RequiringTest } from '../../helpers/requirements.js';

type Json = Record<string, unknown>;

/** Root of the repository. */
export const ROOT = resolve(import.meta.dirname, '../../..');

/** Adds additionalProperties: false to every object schema that lists properties and is not explicitly open. */
export function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === 'default' || k === 'enum' || k === 'example' ? v : closeSchema(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

/** A set of compiled CRD validators keyed by `apiVersion/kind`. */
export class CrdSchemaSet {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  constructor(readonly label: string, crds: readonly AckCrd[]) {
    for (const crd of crds) {
      const spec = crd.object.spec as { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Json } }[] };
      for (const version of spec.versions) {
        const schema = closeSchema(version.schema.openAPIV3Schema) as Json;
        // metadata is validated by the API server itself, not by the CRD schema.
        (schema.properties as Json).metadata = { type: 'object' };
        this.validators.set(`${spec.group}/${version.name}/${spec.names.kind}`, this.ajv.compile(schema));
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

let sources: AckCrdSources | undefined;

/** The CRD sources of this checkout (ACK_CRDS_DIR as set when first asked), once per test file. */
export function crdSources(): AckCrdSources {
  return (sources ??= new AckCrdSources());
}

/** The non-empty schema sets of this checkout: `proxy` when anything was fetched, `pinned` when ACK_CRDS_DIR has CRDs. */
export function availableSchemaSets(from: AckCrdSources = crdSources()): CrdSchemaSet[] {
  return [new CrdSchemaSet('proxy', from.proxyCrds()), new CrdSchemaSet('pinned', from.dirCrds())].filter((set) => set.size > 0);
}

let shared: CrdSchemaSet[] | undefined;

/** availableSchemaSets(), compiled once per test file (Jest gives every test file its own module registry). */
export function schemaSets(): CrdSchemaSet[] {
  return (shared ??= availableSchemaSets());
}

type Checked = KindRef & { metadata: { name: string } };

/**
 * Schema errors of `objects` (`<kind> <name>: <set>: <path> <message>`), [] when all are valid: every set that has an
 * object's kind validates it, and a kind without a CRD (from any source, or missing where the pinned CRDs say it must
 * exist) is an error too.
 */
export function crdErrors(objects: readonly Checked[], sets: readonly CrdSchemaSet[] = schemaSets()): string[] {
  return objects.flatMap((o) => {
    const found = crdSources().resolve(o);
    if (found.status !== 'provided') return [`${o.kind} ${o.metadata.name}: no CRD for ${o.apiVersion} ${o.kind}: ${found.reason}`];
    return sets.filter((set) => set.has(o)).flatMap((set) => set.errors(o).map((e) => `${o.kind} ${o.metadata.name}: ${e}`));
  });
}

/** `test` for a test that needs the CRDs of `objects`' kinds: skipped with the reason when one has no source. */
export function crdTest(objects: readonly KindRef[]): RequiringTest {
  return testRequiring(crdSources().unavailable(objects));
}
