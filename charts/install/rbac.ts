/**
 * The operator's identity and permissions (cdk8s-plus): a ServiceAccount, a ClusterRole with {@link CLUSTER_RULES}
 * bound cluster-wide, and a Role with {@link LEADER_ELECTION_RULES} bound in the operator's namespace only.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMMON_LABELS, OPERATOR_NAME } from './names.js';
import { CLUSTER_RULES, LEADER_ELECTION_RULES, type RbacRule } from './rbac-rules.js';

/** Properties of {@link OperatorRbac}. */
export interface OperatorRbacProps {
  /** Namespace of the ServiceAccount and of the leader-election Role. */
  readonly namespace: string;
}

/** An RBAC resource as cdk8s-plus wants it (a resource type, optionally one object name). */
function endpoint(apiGroup: string, resourceType: string, resourceName?: string): kplus.IApiEndpoint & kplus.IApiResource {
  const resource = { apiGroup, resourceType, resourceName };
  return { ...resource, asApiResource: () => resource, asNonApiResource: () => undefined };
}

/** One cdk8s-plus `allow` per resource (and name), which is how cdk8s-plus models rules. */
function endpointsOf(rule: RbacRule): (kplus.IApiEndpoint & kplus.IApiResource)[] {
  const names = rule.resourceNames ?? [undefined];
  return rule.resources.flatMap((resource) => names.map((name) => endpoint(rule.apiGroup, resource, name)));
}

/** See the module comment. */
export class OperatorRbac extends Construct {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly clusterRole: kplus.ClusterRole;
  readonly leaderElectionRole: kplus.Role;

  constructor(scope: Construct, id: string, props: OperatorRbacProps) {
    super(scope, id);
    const { namespace } = props;
    const labels = { ...COMMON_LABELS };
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: OPERATOR_NAME, namespace, labels },
      // Only the operator's pods get a token, because their spec asks for one (automountServiceAccountToken).
      automountToken: false,
    });

    this.clusterRole = new kplus.ClusterRole(this, 'cluster-role', { metadata: { name: OPERATOR_NAME, labels } });
    let ruleCount = 0;
    for (const rule of CLUSTER_RULES) {
      const endpoints = endpointsOf(rule);
      this.clusterRole.allow([...rule.verbs], ...endpoints);
      ruleCount += endpoints.length;
    }
    // cdk8s-plus writes `resourceNames: []` into every ClusterRole rule; drop the noise (none here names objects).
    const clusterRoleObject = ApiObject.of(this.clusterRole);
    for (let i = 0; i < ruleCount; i++) clusterRoleObject.addJsonPatch(JsonPatch.remove(`/rules/${i}/resourceNames`));
    const clusterBinding = new kplus.ClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: OPERATOR_NAME, labels },
      role: this.clusterRole,
    });
    clusterBinding.addSubjects(this.serviceAccount);

    const leaderElection = `${OPERATOR_NAME}-leader-election`;
    this.leaderElectionRole = new kplus.Role(this, 'leader-election-role', { metadata: { name: leaderElection, namespace, labels } });
    for (const rule of LEADER_ELECTION_RULES) this.leaderElectionRole.allow([...rule.verbs], ...endpointsOf(rule));
    const binding = new kplus.RoleBinding(this, 'leader-election-role-binding', {
      metadata: { name: leaderElection, namespace, labels },
      role: this.leaderElectionRole,
    });
    binding.addSubjects(this.serviceAccount);
  }
}
