/**
 * Validation and defaulting of a MarketplaceEnvironment outside the API server (for `render`, `cdk8s synth` and as
 * the controller's guard against specs that slipped past admission). It applies the CRD's own rules: the OpenAPI
 * schema (Ajv, with defaults), the same CEL expressions (cel-js; transition rules need the old object and are left to
 * the API server), and the checks CEL cannot express here (subnets must fit in the VPC).
 */
import { parse } from '@marcbachmann/cel-js';
import { Ajv, type ErrorObject } from 'ajv';
import { SpecSchema } from './spec.js';
import { planSubnets } from './subnet-plan.js';
import { API_VERSION, KIND, type MarketplaceEnvironment } from './types.js';
import type { CelRule } from './schema-kit.js';

/** One problem, naming the field as the API server would (e.g. `spec.database.serverless.minACU`). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A spec the operator cannot render; `errors` name every offending field. */
export class SpecValidationError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'SpecValidationError';
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateSpecSchema = ajv.compile(SpecSchema);

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns an Ajv instance path (`/spec/storage/buckets/0/name`) into `spec.storage.buckets[0].name`. */
function fieldOf(prefix: string, pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = prefix;
  for (const part of [...parts, ...(extra ? [extra] : [])]) path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return path;
}

function schemaErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((e) => {
    const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
    if (e.keyword === 'additionalProperties') return { field: fieldOf('spec', e.instancePath, params.additionalProperty), message: 'unknown field' };
    if (e.keyword === 'required') return { field: fieldOf('spec', e.instancePath, params.missingProperty), message: 'Required value' };
    if (e.keyword === 'enum') return { field: fieldOf('spec', e.instancePath), message: `must be one of ${JSON.stringify(params.allowedValues)}` };
    return { field: fieldOf('spec', e.instancePath), message: e.message ?? 'invalid' };
  });
}

/**
 * Parsed CEL rules by expression. The schema's rules never change, and parsing was most of what validating cost (the
 * controller validates every new generation; docs/benchmarks.md): each rule is parsed once per process. A rule that
 * does not parse is not kept, and fails every evaluation as it did.
 */
const programs = new Map<string, ReturnType<typeof parse>>();
function program(expression: string): ReturnType<typeof parse> {
  let p = programs.get(expression);
  if (!p) programs.set(expression, (p = parse(expression)));
  return p;
}

/** Evaluates every CEL rule of `schema` on `value` and below, depth first. */
/**
 * The rules of every schema node under `schema` that apply to `value`: its CEL rules, and the unique keys of a
 * list-type map (which the API server enforces, and Ajv does not know; list-type sets are also `uniqueItems`).
 */
function ruleErrors(schema: JsonObject, value: unknown, path: string): FieldError[] {
  const errors = [...celErrors(schema, value, path), ...mapKeyErrors(schema, value, path)];
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  if (properties && isObject(value)) {
    for (const [key, sub] of Object.entries(properties)) {
      if (key in value) errors.push(...ruleErrors(sub, value[key], `${path}.${key}`));
    }
  }
  const items = schema.items as JsonObject | undefined;
  if (items && Array.isArray(value)) value.forEach((v, i) => errors.push(...ruleErrors(items, v, `${path}[${i}]`)));
  return errors;
}

function celErrors(schema: JsonObject, value: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const rules = (schema['x-kubernetes-validations'] ?? []) as CelRule[];
  for (const rule of rules) {
    if (rule.rule.includes('oldSelf')) continue;
    let ok: unknown;
    try {
      ok = program(rule.rule)({ self: value });
    } catch (err) {
      ok = false;
      errors.push({ field: path, message: `rule ${rule.rule} could not be evaluated: ${(err as Error).message}` });
      continue;
    }
    if (ok !== true) errors.push({ field: path + (rule.fieldPath ?? ''), message: rule.message });
  }
  return errors;
}

/** A second item of a list-type map with the keys of an earlier one (the API server: `<list>[i]: Duplicate value`). */
function mapKeyErrors(schema: JsonObject, value: unknown, path: string): FieldError[] {
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(value)) return [];
  const keys = (schema['x-kubernetes-list-map-keys'] ?? []) as string[];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  value.forEach((item, i) => {
    const key = JSON.stringify(Object.fromEntries(keys.map((k) => [k, isObject(item) ? item[k] : undefined])));
    if (seen.has(key)) errors.push({ field: path, message: `Duplicate value at [${i}]: ${key}` });
    seen.add(key);
  });
  return errors;
}

function shapeErrors(input: unknown): FieldError[] {
  if (!isObject(input)) return [{ field: '', message: 'a MarketplaceEnvironment object is required' }];
  const errors: FieldError[] = [];
  if (input.apiVersion !== API_VERSION) errors.push({ field: 'apiVersion', message: `must be ${API_VERSION}` });
  if (input.kind !== KIND) errors.push({ field: 'kind', message: `must be ${KIND}` });
  const name = isObject(input.metadata) ? input.metadata.name : undefined;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(name)) {
    errors.push({ field: 'metadata.name', message: 'must be a DNS label of at most 40 characters' });
  }
  if (!isObject(input.spec)) errors.push({ field: 'spec', message: 'Required value' });
  return errors;
}

/**
 * Validates `input` and returns it with the schema defaults applied (the input is not modified).
 * @throws SpecValidationError naming every offending field.
 */
export function validateEnvironment(input: unknown): MarketplaceEnvironment {
  const shape = shapeErrors(input);
  if (shape.length > 0) throw new SpecValidationError(shape);
  // A JSON round-trip, not structuredClone: cel-js only accepts objects of its own realm (jest runs tests in a VM
  // context, where structuredClone returns objects with the outer realm's prototypes).
  const env = JSON.parse(JSON.stringify(input)) as JsonObject & { spec: JsonObject };
  if (!validateSpecSchema(env.spec)) throw new SpecValidationError(schemaErrors(validateSpecSchema.errors ?? []));
  const rules = ruleErrors(SpecSchema as unknown as JsonObject, env.spec, 'spec');
  if (rules.length > 0) throw new SpecValidationError(rules);
  const typed = env as unknown as MarketplaceEnvironment;
  if (!planSubnets(typed.spec.network)) {
    throw new SpecValidationError([
      { field: 'spec.network.subnets', message: `the subnets do not fit in vpcCIDR ${typed.spec.network.vpcCIDR}: use fewer or smaller subnets` },
    ]);
  }
  return typed;
}
