/**
 * The Kubernetes Secrets the aws-gaps executor fills with values AWS generated (a Cognito app client's id and secret),
 * for the applications to mount. In the environment's namespace and owned by the environment, so the garbage collector
 * deletes them with it (a Secret whose declaration left the spec stays until then: the operator may not delete
 * Secrets). Looked up first: an unchanged Secret is not written again, so a recheck of the action (every
 * DEFAULT_RECHECK_MS) costs a read, and the steady state no write (test/e2e/steady-state.test.ts). Otherwise written
 * by server-side apply with the operator's field manager: a key no longer given (a client secret after the client
 * lost it) is removed, and a Secret deleted or edited meanwhile is restored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { MarketplaceEnvironment } from '../../api/index.js';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../charts/naming.js';
import { isSubset } from '../marketplace-environment/apply-diff.js';
import type { KubeClient } from '../runtime/kube-client.js';

/** Writes one Secret of the environment being reconciled. */
export interface SecretWriter {
  /** Makes Secret `name` hold exactly `data` (plain-text values). */
  write(name: string, data: Readonly<Record<string, string>>): Promise<void>;
}

/** The {@link SecretWriter} of `env`, through `kube` (the reconciler's client; RBAC: secrets create and patch). */
export function environmentSecretWriter(kube: KubeClient, env: MarketplaceEnvironment): SecretWriter {
  const { name: envName, namespace = 'default', uid } = env.metadata;
  return {
    async write(name, data) {
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name,
          namespace,
          labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: envName },
          ...(uid ? { ownerReferences: [{ apiVersion: env.apiVersion, kind: env.kind, name: envName, uid, controller: true, blockOwnerDeletion: false }] } : {}),
        },
        // `data`, not `stringData`: stringData is write-only, so it could never be seen as unchanged.
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
      };
      const live = await kube.get<KubernetesObject & { type?: string; data?: unknown }>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
      // Exactly these keys (one no longer given must go), our labels and owner, Opaque.
      if (live && live.type === secret.type && isDeepStrictEqual(live.data ?? {}, secret.data) && isSubset(secret.metadata, live.metadata ?? {})) return;
      await kube.apply(secret as never);
    },
  };
}
