/**
 * Builds the MarketplaceEnvironment CustomResourceDefinition from the TypeBox schemas.
 * crds/marketplaceenvironments.yaml is this function's output (`npm run crd`); a unit test fails when it is stale.
 */
import { SpecSchema } from './spec.js';
import { StatusSchema } from './status.js';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from './types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Rewrites a JSON schema into a Kubernetes structural schema:
 * - `additionalProperties: false` goes (structural schemas forbid it beside `properties`; the API server prunes
 *   unknown fields instead, and rejects them under strict field validation);
 * - `uniqueItems` goes (forbidden in CRDs; sets are declared with x-kubernetes-list-type: set);
 * - TypeBox's `patternProperties` for records becomes `additionalProperties`;
 * - a property with a `default` is not `required`: the API server fills it in, and it validates every default
 *   against the schema (`default: {}` of an object whose defaulted properties were required would be rejected).
 */
export function toStructural(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toStructural);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: { [key: string]: Json } = {};
  const properties = (schema.properties ?? {}) as { [key: string]: { [key: string]: Json } };
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' && Array.isArray(value)) {
      const required = value.filter((name) => typeof name === 'string' && properties[name]?.default === undefined);
      if (required.length > 0) out.required = required;
      continue;
    }
    if (key === 'uniqueItems' || (key === 'additionalProperties' && value === false)) continue;
    if (key === 'patternProperties' && value && typeof value === 'object' && !Array.isArray(value)) {
      const [only] = Object.values(value);
      out.additionalProperties = toStructural(only ?? {});
      continue;
    }
    // Values of these keys are data, not schemas: copy them untouched.
    out[key] = key === 'default' || key === 'enum' || key === 'x-kubernetes-validations' ? value : toStructural(value);
  }
  return out;
}

const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

// priority only when non-zero: the API server drops a 0, and a field it drops makes every later server-side apply
// by another field manager (kubectl, Argo CD) conflict on .spec.versions and show a permanent diff.
const readyColumn = (name: string, field: string, priority = 0) => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="Ready")].${field}`,
  ...(priority > 0 ? { priority } : {}),
});

/** The CRD as a plain object, ready for YAML serialisation or server-side apply. */
export function buildCrd(): Record<string, Json> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'marketplace-operator', 'app.kubernetes.io/part-of': 'marketplace-operator' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: KIND.toLowerCase(),
        shortNames: ['mpe', 'mpenv'],
        categories: ['marketplace'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            readyColumn('Ready', 'status'),
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            readyColumn('Reason', 'reason'),
            { name: 'Children', type: 'string', jsonPath: '.status.summary' },
            { name: 'Region', type: 'string', jsonPath: '.spec.region' },
            readyColumn('Message', 'message', 1),
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${KIND} (${API_VERSION}) describes one marketplace / e-commerce environment on AWS; the operator renders it into AWS Controllers for Kubernetes resources and reports their state.`,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'API version of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: toStructural(plain(SpecSchema)),
                status: toStructural(plain(StatusSchema)),
              },
              'x-kubernetes-validations': [
                // No fieldPath: it may only name fields the schema declares, and metadata is not declared here.
                { rule: 'size(self.metadata.name) <= 40', message: 'metadata.name must be at most 40 characters (children are named <name>-<component>-<n>)' },
              ],
            },
          },
        },
      ],
    },
  };
}
