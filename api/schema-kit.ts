/**
 * Small helpers over TypeBox for writing Kubernetes structural schemas.
 *
 * The MarketplaceEnvironment schema is written once with these helpers. From it come: the CRD in crds/
 * (hack/generate-crd.ts), the TypeScript types (Static<>), defaulting and validation in `render`
 * (api/validate.ts, Ajv) and the CEL rules, which the API server and `render` (cel-js) evaluate alike.
 */
import { Type, type SchemaOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A CEL validation rule, rendered as one entry of `x-kubernetes-validations`. */
export interface CelRule {
  /** CEL expression over `self` (and `oldSelf` for transition rules). */
  readonly rule: string;
  /** Message returned by the API server (and by `render`) when the rule is false. */
  readonly message: string;
  /** Path of the offending field relative to the object carrying the rule, e.g. `.minACU`. */
  readonly fieldPath?: string;
  /** `FieldValueInvalid` (default), `FieldValueForbidden`, `FieldValueRequired` or `FieldValueDuplicate`. */
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Options accepted by the helpers: JSON-schema options plus CEL rules. */
export interface KubeSchemaOptions extends SchemaOptions {
  /** Human text shown by `kubectl explain`. Every field has one. */
  readonly description: string;
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
}

/** A string restricted to `values` (an `enum` in the CRD, a union type in TypeScript). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: KubeSchemaOptions,
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** An object schema that rejects unknown fields in `render` (the CRD generator drops the flag: see crd.ts). */
export function Obj<T extends Parameters<typeof Type.Object>[0]>(properties: T, options: KubeSchemaOptions) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** Rule: this field cannot change once set (`self == oldSelf`). Transition rules are only checked by the API server. */
export function immutable(field: string): CelRule {
  return { rule: 'self == oldSelf', message: `${field} is immutable` };
}

/** An IPv4 CIDR block between /min and /max. */
export function Cidr(min: number, max: number, options: KubeSchemaOptions) {
  const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
  const prefixes = Array.from({ length: max - min + 1 }, (_, i) => String(min + i)).join('|');
  return Type.String({ ...options, maxLength: 18, pattern: `^(${octet}\\.){3}${octet}/(${prefixes})$` });
}

/** Marks a schema for later fields the API will grow (documented room, no fields yet). */
export type Schema = TSchema;
