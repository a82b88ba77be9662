/** Names shared by the install constructs and controllers/run.ts (the Lease and its default namespace). */

/** Namespace the operator runs in. */
export const OPERATOR_NAMESPACE = 'marketplace-system';
/** Name of the ServiceAccount, ClusterRole, ClusterRoleBinding and Deployment. */
export const OPERATOR_NAME = 'marketplace-operator';
/** Image when none is given (`OPERATOR_IMAGE` for `npm run synth`). */
export const DEFAULT_IMAGE = 'marketplace-operator:dev';
/** coordination.k8s.io Lease of leader election (in LEADER_ELECTION_NAMESPACE, default OPERATOR_NAMESPACE). */
export const LEASE_NAME = 'marketplace-operator';
/** Port of /metrics, /healthz and /readyz (METRICS_BIND_ADDRESS). */
export const HTTP_PORT = 8080;
/** Labels of every install object and of the operator's pods. */
export const COMMON_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': OPERATOR_NAME,
  'app.kubernetes.io/part-of': OPERATOR_NAME,
};
/** Labels that select the operator's pods (the Deployment's selector and the metrics Service's). */
export const POD_SELECTOR_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': OPERATOR_NAME,
  'app.kubernetes.io/component': 'controller',
};
