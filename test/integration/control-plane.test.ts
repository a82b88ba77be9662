// The integration cluster itself: healthy, with real authentication and RBAC authorization.
import {
  AuthenticationV1Api,
  CoreV1Api,
  Health,
  RbacAuthorizationV1Api,
  VersionApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { failureStatus, kubeConfigForToken, loadTestKubeConfig, uniqueName, waitFor } from './helpers/kube.js';

const TIMEOUT_MS = 90_000;

describe('local control plane', () => {
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(() => {
    kc = loadTestKubeConfig();
    core = kc.makeApiClient(CoreV1Api);
  });

  test('kube-apiserver is live and ready and reports a version', async () => {
    const health = new Health(kc);
    expect(await health.livez({})).toBe(true);
    expect(await health.readyz({})).toBe(true);
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  test('an unknown bearer token is rejected with 401', async () => {
    const stranger = kubeConfigForToken(kc, 'not-a-valid-token').makeApiClient(CoreV1Api);
    expect(await failureStatus(stranger.listNamespace())).toBe(401);
  });

  test(
    'RBAC: a ServiceAccount may list secrets only after a RoleBinding grants it, and only in that namespace',
    async () => {
      const namespace = uniqueName('rbac');
      const name = 'reader';
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      try {
        await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
        const tokenRequest = await core.createNamespacedServiceAccountToken({
          name,
          namespace,
          // Empty audiences: the API server fills in its own, so the token is valid against it.
          body: { spec: { audiences: [], expirationSeconds: 600 } },
        });
        const token = tokenRequest.status?.token;
        expect(token).toBeTruthy();
        const saKc = kubeConfigForToken(kc, token as string, name);
        const saCore = saKc.makeApiClient(CoreV1Api);

        // Authentication works: the API server knows who this is.
        const review = await saKc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
        expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:${name}`);

        // Authorization denies it: authenticated, but no role grants secrets.
        expect(await failureStatus(saCore.listNamespacedSecret({ namespace }))).toBe(403);

        const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
        await rbac.createNamespacedRole({
          namespace,
          body: {
            metadata: { name: 'secret-reader' },
            rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
          },
        });
        await rbac.createNamespacedRoleBinding({
          namespace,
          body: {
            metadata: { name: 'secret-reader' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
            subjects: [{ kind: 'ServiceAccount', name, namespace }],
          },
        });
        // The RBAC authorizer reads Roles from an informer cache, so the grant takes effect shortly after.
        await waitFor('the RoleBinding to take effect', async () => {
          try {
            await saCore.listNamespacedSecret({ namespace });
            return true;
          } catch {
            return false;
          }
        });
        // The grant is namespaced: cluster-wide listing is still forbidden.
        expect(await failureStatus(saCore.listSecretForAllNamespaces())).toBe(403);
      } finally {
        await core.deleteNamespace({ name: namespace });
      }
    },
    TIMEOUT_MS,
  );
});
