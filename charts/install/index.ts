/** The operator's install manifests (cdk8s + cdk8s-plus-28): `npm run synth` writes them to dist/install/. */
export { OperatorCrd, type CrdManifest, type OperatorCrdProps } from './crd.js';
export { OperatorDeployment, RUN_AS_USER, type OperatorDeploymentProps } from './deployment.js';
export { OperatorInstallChart, type OperatorInstallChartProps } from './install-chart.js';
export { MetricsService, type MetricsServiceProps } from './metrics-service.js';
export { COMMON_LABELS, DEFAULT_IMAGE, HTTP_PORT, LEASE_NAME, OPERATOR_NAME, OPERATOR_NAMESPACE, POD_SELECTOR_LABELS } from './names.js';
export { OperatorNamespace, type OperatorNamespaceProps } from './namespace.js';
export { OperatorRbac, type OperatorRbacProps } from './rbac.js';
export { CHILD_VERBS, CLUSTER_RULES, LEADER_ELECTION_RULES, type RbacRule } from './rbac-rules.js';
