/**
 * The operator's permissions as data: exactly the requests controllers/ sends, and nothing else (no wildcards).
 * Derived from the code, not from a wish list; test/integration/install-rbac.test.ts runs the manager with a token
 * of the ServiceAccount to prove they suffice, and checks a few things are denied.
 *
 * | request (where)                                                     | rule                                    |
 * | ------------------------------------------------------------------- | --------------------------------------- |
 * | informer list+watch of environments (manager.ts)                    | marketplaceenvironments list, watch     |
 * | fresh GET per reconcile (reconciler.ts)                             | marketplaceenvironments get             |
 * | finalizer add/remove, merge patch (reconciler.ts)                   | marketplaceenvironments patch           |
 * | status merge patch (reconciler.ts writeStatus)                      | marketplaceenvironments/status patch    |
 * | child informers, cluster-wide list+watch; served check (child-cache.ts) | every child kind: list, watch       |
 * | server-side apply of children (apply.ts): PATCH, and creation       | every child kind: patch, create         |
 * | prune (apply.ts) and ordered teardown (deletion.ts)                 | every child kind: delete                |
 * | namespaced LIST of children during teardown (deletion.ts)           | (list, above)                           |
 * | generated Secrets: GET, then apply once (generated-secrets.ts)      | secrets get, patch, create              |
 * | record of retained ids: GET, apply, DELETE (identity-record.ts)    | configmaps get, patch, create, delete   |
 * | transition Events (events.ts via client-node-kube-client.ts)        | events.k8s.io events create             |
 * | leader election (lease-lock.ts): GET, POST, PUT of one Lease        | Role: leases create; get, update by name|
 *
 * Server-side apply of an object that does not exist yet is authorized as `create` as well as `patch` (measured on
 * kube-apiserver v1.35: with patch alone it is 403 "cannot create resource"), hence `create` on children and secrets.
 * No `get` on children: the reconciler reads them from the informer cache. No `list`/`watch` on secrets and no
 * `update` anywhere but the Lease. API discovery (used to build request paths) is granted to every authenticated
 * user by the default `system:discovery` ClusterRole.
 */
import { GROUP, PLURAL } from '../../api/index.js';
import { CHILD_KINDS } from '../child-kinds.js';
import { LEASE_NAME } from './names.js';

/** One RBAC rule: one API group, its resources, their verbs. */
export interface RbacRule {
  /** `''` for the core group. */
  readonly apiGroup: string;
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Restricts get/update/patch/delete to these names (cannot restrict create, list or watch). */
  readonly resourceNames?: readonly string[];
}

/** Verbs on every ACK kind the charts render. */
export const CHILD_VERBS = ['list', 'watch', 'create', 'patch', 'delete'] as const;

/** Child kinds grouped by API group, in first-seen order. */
function childRules(): RbacRule[] {
  const byGroup = new Map<string, string[]>();
  for (const kind of CHILD_KINDS) {
    const group = kind.apiVersion.split('/')[0]!;
    byGroup.set(group, [...(byGroup.get(group) ?? []), kind.plural]);
  }
  return [...byGroup].map(([apiGroup, resources]) => ({ apiGroup, resources, verbs: [...CHILD_VERBS] }));
}

/** Cluster-wide rules (ClusterRole): the operator watches every namespace by default. */
export const CLUSTER_RULES: readonly RbacRule[] = [
  { apiGroup: GROUP, resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroup: GROUP, resources: [`${PLURAL}/status`], verbs: ['patch'] },
  ...childRules(),
  { apiGroup: '', resources: ['secrets'], verbs: ['get', 'create', 'patch'] },
  { apiGroup: '', resources: ['configmaps'], verbs: ['get', 'create', 'patch', 'delete'] },
  { apiGroup: 'events.k8s.io', resources: ['events'], verbs: ['create'] },
];

/** Rules in the operator's own namespace (Role): leader election on one Lease. */
export const LEADER_ELECTION_RULES: readonly RbacRule[] = [
  { apiGroup: 'coordination.k8s.io', resources: ['leases'], verbs: ['create'] },
  { apiGroup: 'coordination.k8s.io', resources: ['leases'], verbs: ['get', 'update'], resourceNames: [LEASE_NAME] },
];
