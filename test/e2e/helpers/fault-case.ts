/** One environment of the fault matrix (faults.test.ts, faults-cluster.test.ts): a network and a KMS key, Delete. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, validateEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION } from '../../../charts/bindings.js';
import { CHILD_KINDS, type ChildKind } from '../../../charts/child-kinds.js';
import { renderEnvironment } from '../../../charts/render.js';
import { e2eNamespace } from '../env.js';

/** The kinds moto-census.ts lists. */
export const CENSUS_KINDS = new Set(['VPC', 'Subnet', 'SecurityGroup', 'RouteTable', 'InternetGateway', 'NATGateway', 'ElasticIPAddress', 'Key']);

/** A fault environment's manifest (the tags as faults-cluster.test.ts's concurrent writers edit them). */
export type FaultManifest = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Record<string, unknown> & { tags?: { environment: string; owner: string; additional?: Record<string, string> } };
};

/** One environment of the matrix. */
export interface FaultCase {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly manifest: FaultManifest;
  readonly vpcCIDR: string;
  readonly kinds: readonly ChildKind[];
  /** Rendered children. */
  readonly total: number;
  /** Rendered children without a late binding: what the first apply sends. */
  readonly firstPass: number;
  /** Rendered children per census kind: what moto must hold once, each, when the environment has converged. */
  readonly expected: Record<string, number>;
  /** AWS ids ACK recorded, collected whenever the children are listed (found even if a tag were missing). */
  readonly ids: Set<string>;
}

/**
 * The environment of case `id` in region `region`: 2 zones with 2 public and 2 private subnets each (16 children),
 * or with `large` 3 zones with 4 subnets of each tier (49 children: a first apply long enough to be interrupted in
 * its middle). `octet` makes its VPC CIDR (10.<octet>.0.0/16) unique in moto.
 */
export function makeFaultCase(namespaceSuffix: string, region: string, id: string, octet: number, large = false): FaultCase {
  const namespace = e2eNamespace(`faults-${id}`, namespaceSuffix);
  const vpcCIDR = `10.${octet}.0.0/16`;
  const perAZ = large ? 4 : 2;
  const manifest: FaultManifest = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: `fault-${id}`, namespace },
    spec: {
      region,
      project: `fault${id}`,
      environmentSuffix: `e2e${namespaceSuffix}`,
      tags: { environment: 'e2e', owner: 'faults' },
      deletionPolicy: 'Delete',
      network: {
        vpcCIDR,
        availabilityZones: large ? ['us-east-1a', 'us-east-1b', 'us-east-1c'] : ['us-east-1a', 'us-east-1b'],
        subnets: { public: { countPerAZ: perAZ }, private: { countPerAZ: perAZ }, isolated: { countPerAZ: large ? perAZ : 0 } },
        natGateways: 'None',
      },
      encryption: { pendingWindowDays: 7 },
    },
  };
  const rendered = renderEnvironment(validateEnvironment(structuredClone(manifest)));
  const expected: Record<string, number> = {};
  for (const o of rendered.filter((r) => CENSUS_KINDS.has(r.kind))) expected[o.kind] = (expected[o.kind] ?? 0) + 1;
  return {
    id,
    namespace,
    name: manifest.metadata.name,
    manifest,
    vpcCIDR,
    kinds: CHILD_KINDS.filter((k) => rendered.some((o) => o.apiVersion === k.apiVersion && o.kind === k.kind)),
    total: rendered.length,
    firstPass: rendered.filter((o) => !o.metadata.annotations?.[BINDINGS_ANNOTATION]).length,
    expected: Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))),
    ids: new Set(),
  };
}
