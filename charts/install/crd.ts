/**
 * Our CRD as an ApiObject. The caller passes the manifest (main.ts loads crds/marketplaceenvironments.yaml, the file
 * `npm run crd` generates), so the chart stays pure. One normalization: printer columns with `priority: 0` lose that
 * field. The API server drops a zero priority when it stores the CRD, and `spec.versions` is an atomic list, so a
 * manifest that keeps it never matches the live object: `kubectl apply --server-side` conflicts with whichever
 * manager applied the CRD before (measured: `conflict with "mpe-localcluster": .spec.versions`), and GitOps tools
 * report a permanent diff. Without it, it is the same CRD.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** A CustomResourceDefinition manifest as plain JSON. */
export type CrdManifest = { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string } } & Record<string, unknown>;

/** Properties of {@link OperatorCrd}. */
export interface OperatorCrdProps {
  /** The manifest of crds/marketplaceenvironments.yaml. */
  readonly manifest: CrdManifest;
}

interface Column {
  readonly priority?: number;
}
interface Version {
  readonly additionalPrinterColumns?: readonly Column[];
}

/** See the module comment. */
export class OperatorCrd extends Construct {
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: OperatorCrdProps) {
    super(scope, id);
    if (props.manifest.kind !== 'CustomResourceDefinition') throw new Error(`expected a CustomResourceDefinition, got ${props.manifest.kind}`);
    this.apiObject = new ApiObject(this, 'crd', withoutZeroPriorities(props.manifest) as never);
  }
}

/** A copy of `crd` without `priority: 0` in its printer columns (see the module comment). */
export function withoutZeroPriorities(crd: CrdManifest): CrdManifest {
  const copy = structuredClone(crd) as CrdManifest & { spec?: { versions?: Version[] } };
  for (const version of copy.spec?.versions ?? []) {
    for (const column of version.additionalPrinterColumns ?? []) if (column.priority === 0) delete (column as { priority?: number }).priority;
  }
  return copy;
}
