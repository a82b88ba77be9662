/**
 * Where the values AWS generates for the aws-gaps actions go in the reconciler: the Secret of the environment (owned by
 * it, data only, keys removed when no longer given), `status.outputs` (computeOutputs' generated entries), and the
 * next pass's late bindings, which may read the environment's own status.outputs (a client id as a container's
 * environment variable).
 */
import { describe, expect, it } from '@jest/globals';
import { API_VERSION, KIND, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { environmentSecretWriter } from '../../../controllers/aws-gaps/secrets.js';
import { applyChildren } from '../../../controllers/marketplace-environment/apply.js';
import { ChildStore } from '../../../controllers/marketplace-environment/child-cache.js';
import { computeOutputs } from '../../../controllers/marketplace-environment/outputs.js';
import { FakeKubeClient } from '../../helpers/fake-kube-client.js';

const env = (status?: object) =>
  ({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'shop', namespace: 'team-a', uid: 'env-uid' }, spec: {}, ...(status ? { status } : {}) }) as unknown as MarketplaceEnvironment;

describe('environmentSecretWriter', () => {
  it('applies an Opaque Secret in the environment\'s namespace, owned by the environment, with base64 data', async () => {
    const kube = new FakeKubeClient();
    await environmentSecretWriter(kube, env()).write('shop-users-web-client', { clientID: '7abc1def', clientSecret: 's3cr3t' });
    expect(kube.callsTo('apply').map((c) => c.ref)).toEqual([{ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'shop-users-web-client' }]);
    expect(kube.object({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'shop-users-web-client' })).toMatchObject({
      type: 'Opaque',
      metadata: {
        labels: { 'app.kubernetes.io/managed-by': 'marketplace-operator', 'marketplace.platform.dev/environment': 'shop' },
        ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name: 'shop', uid: 'env-uid', controller: true, blockOwnerDeletion: false }],
      },
      data: { clientID: Buffer.from('7abc1def').toString('base64'), clientSecret: Buffer.from('s3cr3t').toString('base64') },
    });
  });

  it('removes a key no longer given (the client was recreated without a secret)', async () => {
    const kube = new FakeKubeClient();
    const writer = environmentSecretWriter(kube, env());
    await writer.write('c', { clientID: 'a', clientSecret: 's' });
    await writer.write('c', { clientID: 'b' });
    expect(kube.object<{ data: unknown }>({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'c' })!.data).toEqual({ clientID: Buffer.from('b').toString('base64') });
  });
});

describe('computeOutputs with generated values', () => {
  it('puts them at their pointers, beside the children\'s outputs, and ahead of a child declaring the same output', () => {
    const pool: RenderedObject = {
      apiVersion: 'cognitoidentityprovider.services.k8s.aws/v1alpha1',
      kind: 'UserPool',
      metadata: { name: 'shop-users', labels: {}, annotations: { [OUTPUTS_ANNOTATION]: JSON.stringify([{ output: '/identity/userPoolID', fieldPath: 'status.id' }, { output: '/identity/clients/0/name', value: 'web' }, { output: '/identity/clients/0/clientID', value: 'rendered' }]) } },
    };
    const live = new Map([['cognitoidentityprovider.services.k8s.aws/v1alpha1/UserPool/shop-users', { status: { id: 'eu-west-1_AbC' } }]]);
    expect(computeOutputs([pool], live, [{ output: '/identity/clients/0/clientID', value: '7abc1def' }])).toEqual({
      identity: { userPoolID: 'eu-west-1_AbC', clients: [{ name: 'web', clientID: '7abc1def' }] },
    });
    expect(computeOutputs([pool], live)).toEqual({ identity: { userPoolID: 'eu-west-1_AbC', clients: [{ name: 'web', clientID: 'rendered' }] } });
  });
});

describe('applyChildren with the environment as a binding source', () => {
  const binding: Binding = { path: '/spec/environment/0/value', from: { apiVersion: API_VERSION, kind: KIND, name: 'shop' }, fieldPath: 'status.outputs.identity.clients.0.clientID', required: true };
  const taskDefinition: RenderedObject = {
    apiVersion: 'ecs.services.k8s.aws/v1alpha1',
    kind: 'TaskDefinition',
    metadata: { name: 'shop-app', namespace: 'team-a', labels: {}, annotations: { [BINDINGS_ANNOTATION]: JSON.stringify([binding]) } },
    ...({ spec: { environment: [{ name: 'COGNITO_CLIENT_ID' }] } } as object),
  };
  const apply = (kube: FakeKubeClient, environment?: MarketplaceEnvironment) =>
    applyChildren([taskDefinition], { kube, cache: new ChildStore(), namespace: 'team-a', envName: 'shop', concurrency: 1, ...(environment ? { environment } : {}) });

  it('holds the child back until the environment\'s status has the output, then applies it with the value', async () => {
    const kube = new FakeKubeClient();
    expect([...(await apply(kube, env())).heldBack.keys()]).toEqual(['ecs.services.k8s.aws/v1alpha1/TaskDefinition/shop-app']);
    expect(kube.callsTo('apply')).toEqual([]);
    const result = await apply(kube, env({ outputs: { identity: { clients: [{ clientID: '7abc1def' }] } } }));
    expect(result.heldBack.size).toBe(0);
    expect(kube.object<{ spec: unknown }>({ apiVersion: 'ecs.services.k8s.aws/v1alpha1', kind: 'TaskDefinition', namespace: 'team-a', name: 'shop-app' })!.spec).toEqual({ environment: [{ name: 'COGNITO_CLIENT_ID', value: '7abc1def' }] });
  });

  it('reads nothing from an environment it is not given', async () => {
    expect((await apply(new FakeKubeClient())).heldBack.size).toBe(1);
  });
});
