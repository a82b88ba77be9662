/** Reading an environment's ACK children and their conditions. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { CHILD_KINDS, type ChildKind } from '../../../charts/child-kinds.js';
import { ENVIRONMENT_LABEL } from '../../../charts/naming.js';
import type { KubeClient } from '../../../controllers/runtime/kube-client.js';
import { statusOf } from '../../integration/helpers/kube.js';

/** An ACK child as read from the API server. */
export type Child = KubernetesObject & {
  metadata?: KubernetesObject['metadata'] & { deletionTimestamp?: unknown };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  status?: Record<string, any> & { conditions?: AckCondition[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** A condition as ACK writes it. */
export interface AckCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** ACK service of an apiVersion (`ec2.services.k8s.aws/v1alpha1` → `ec2`). */
export const serviceOf = (apiVersion: string | undefined): string => (apiVersion ?? '').split('.')[0] ?? '';

/** The condition `type` of a child. */
export const conditionOf = (child: Child | undefined, type: string): AckCondition | undefined => child?.status?.conditions?.find((c) => c.type === type);

/** Whether ACK reports the child synced. */
export const isSynced = (child: Child): boolean => conditionOf(child, 'ACK.ResourceSynced')?.status === 'True';

/** Lists one kind's children of environment `name` in `namespace`; a kind the server does not serve has none. */
export async function listKind(kube: KubeClient, kind: ChildKind, namespace: string, name: string): Promise<Child[]> {
  try {
    return (await kube.list({ apiVersion: kind.apiVersion, kind: kind.kind, namespace, labelSelector: `${ENVIRONMENT_LABEL}=${name}` })) as Child[];
  } catch (err) {
    // Not served: a 404, or (discovery has no such kind) the client cannot even build the path.
    if (statusOf(err) === 404 || /cannot resolve the API path/.test(String(err))) return [];
    throw err;
  }
}

/** Every child of the environment, over `kinds` (default: every kind the charts render). */
export async function listChildren(kube: KubeClient, namespace: string, name: string, kinds: readonly ChildKind[] = CHILD_KINDS): Promise<Child[]> {
  return (await Promise.all(kinds.map((k) => listKind(kube, k, namespace, name)))).flat();
}
