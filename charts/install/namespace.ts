/** The operator's namespace. */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMMON_LABELS } from './names.js';

/** Properties of {@link OperatorNamespace}. */
export interface OperatorNamespaceProps {
  readonly name: string;
}

/**
 * The Namespace, labelled for the `restricted` Pod Security Standard (enforce + warn), which the operator's pod meets.
 */
export class OperatorNamespace extends Construct {
  readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: OperatorNamespaceProps) {
    super(scope, id);
    this.namespace = new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...COMMON_LABELS,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          // Also warn on workloads: an apply of a Deployment whose pod template would be rejected prints a warning.
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    });
  }
}
