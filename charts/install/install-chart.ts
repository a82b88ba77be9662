/**
 * Everything needed to run the operator in a cluster, as one cdk8s chart (`npm run synth` writes
 * dist/install/marketplace-operator.k8s.yaml): Namespace, our CRD, ServiceAccount + least-privilege RBAC, the
 * Deployment and the metrics Service. Pure (no I/O, no client): the caller passes the CRD manifest.
 * The ACK controllers and their CRDs are installed separately (their own Helm charts).
 */
import { Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { OperatorCrd, type CrdManifest } from './crd.js';
import { OperatorDeployment } from './deployment.js';
import { MetricsService } from './metrics-service.js';
import { DEFAULT_IMAGE, OPERATOR_NAMESPACE } from './names.js';
import { OperatorNamespace } from './namespace.js';
import { OperatorRbac } from './rbac.js';

/** Properties of {@link OperatorInstallChart}. */
export interface OperatorInstallChartProps extends Omit<ChartProps, 'namespace'> {
  /** The MarketplaceEnvironment CRD: the parsed crds/marketplaceenvironments.yaml. */
  readonly crd: CrdManifest;
  /** @default {@link DEFAULT_IMAGE} */
  readonly image?: string;
  /** @default {@link OPERATOR_NAMESPACE} */
  readonly namespace?: string;
  /** @default 2 */
  readonly replicas?: number;
}

/** See the module comment. */
export class OperatorInstallChart extends Chart {
  readonly namespaceName: string;
  readonly rbac: OperatorRbac;
  readonly deployment: OperatorDeployment;

  constructor(scope: Construct, id: string, props: OperatorInstallChartProps) {
    // No chart-level namespace: cdk8s would stamp it on cluster-scoped objects (CRD, ClusterRole) too.
    const { crd: _crd, image: _image, namespace: _namespace, replicas: _replicas, ...chartProps } = props;
    super(scope, id, { ...chartProps, disableResourceNameHashes: true });
    const namespace = (this.namespaceName = props.namespace ?? OPERATOR_NAMESPACE);
    const ns = new OperatorNamespace(this, 'namespace', { name: namespace });
    const crd = new OperatorCrd(this, 'crd', { manifest: props.crd });
    this.rbac = new OperatorRbac(this, 'rbac', { namespace });
    this.deployment = new OperatorDeployment(this, 'operator', {
      namespace,
      serviceAccount: this.rbac.serviceAccount,
      image: props.image ?? DEFAULT_IMAGE,
      replicas: props.replicas,
    });
    const service = new MetricsService(this, 'metrics', { namespace });
    // Output order = apply order for a plain `kubectl apply -f`: the namespace and CRD first, the workload last.
    for (const dependent of [this.rbac, this.deployment, service]) dependent.node.addDependency(ns, crd);
    this.deployment.node.addDependency(this.rbac);
  }
}
