/** A ClusterIP Service in front of the operator's /metrics (port `http-metrics`), for Prometheus to scrape. */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMMON_LABELS, HTTP_PORT, OPERATOR_NAME, POD_SELECTOR_LABELS } from './names.js';

/** Properties of {@link MetricsService}. */
export interface MetricsServiceProps {
  readonly namespace: string;
}

/** See the module comment. Selects the operator's pods by label; every replica is selected: a standby exports its metrics (and leader status 0) too. */
export class MetricsService extends Construct {
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: MetricsServiceProps) {
    super(scope, id);
    this.service = new kplus.Service(this, 'service', {
      metadata: { name: `${OPERATOR_NAME}-metrics`, namespace: props.namespace, labels: { ...COMMON_LABELS, 'app.kubernetes.io/component': 'metrics' } },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: kplus.Pods.select(this, 'pods', { labels: { ...POD_SELECTOR_LABELS } }),
      ports: [{ name: 'http-metrics', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: kplus.Protocol.TCP }],
    });
  }
}
