/**
 * Our CRD as an ApiObject. The caller passes the manifest (main.ts loads crds/marketplaceenvironments.yaml, the file
 * `npm run crd` generates), so the chart stays pure. It passes through unchanged: the generator (api/crd.ts) already
 * leaves out `priority: 0`, which the API server would drop and so make every server-side apply conflict.
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

/** See the module comment. */
export class OperatorCrd extends Construct {
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: OperatorCrdProps) {
    super(scope, id);
    if (props.manifest.kind !== 'CustomResourceDefinition') throw new Error(`expected a CustomResourceDefinition, got ${props.manifest.kind}`);
    this.apiObject = new ApiObject(this, 'crd', props.manifest as never);
  }
}

