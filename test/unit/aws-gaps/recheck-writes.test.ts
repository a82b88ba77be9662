/**
 * The AWS actions in steady state write nothing to the API server (found by test/e2e/steady-state.test.ts, whose
 * 5-minute window caught a recheck of the Cognito app client): a recheck that finds AWS as declared keeps the
 * component's message, so the environment's status is not patched because "; created" drops out of it ten minutes
 * after the creation; and the Secret of generated values is looked up before it is written, so an unchanged one
 * costs a read, not an apply, on every recheck.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { API_VERSION, KIND, type MarketplaceEnvironment } from '../../../api/index.js';
import { AwsGapActions, DEFAULT_RECHECK_MS } from '../../../controllers/aws-gaps/actions.js';
import { environmentSecretWriter, type SecretWriter } from '../../../controllers/aws-gaps/secrets.js';
import { createLogger } from '../../../controllers/runtime/logger.js';
import { FakeKubeClient } from '../../helpers/fake-kube-client.js';
import { FakeWafv2 } from './fake-aws.js';
import { POOL_ID, appClient, userPool } from './fake-identity.js';

const silent = createLogger({ level: 'silent' });

describe('a recheck that finds AWS as declared', () => {
  let aws: FakeWafv2;
  let clock: number;
  const secrets: SecretWriter = { write: async () => undefined };

  beforeEach(() => {
    aws = new FakeWafv2();
    aws.userPools.pools.set(POOL_ID, new Map());
    clock = 1_000_000;
  });

  const reconcile = (actions: AwsGapActions, gaps = [appClient()]) => actions.reconcile([userPool({ gaps })], [userPool({ id: true, gaps })], secrets);

  it('keeps the message of the ensure that created the client: the status stays as it is', async () => {
    const actions = new AwsGapActions({ clients: aws, logger: silent, now: () => clock });
    const first = await reconcile(actions);
    expect(first.components[0]!.message).toMatch(/; created$/);
    for (const _ of [1, 2]) {
      clock += DEFAULT_RECHECK_MS;
      aws.userPools.take();
      expect(await reconcile(actions)).toEqual(first);
      // It did look again.
      expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient']);
    }
  });

  it('takes the new message when the recheck changed something, and keeps that one', async () => {
    const actions = new AwsGapActions({ clients: aws, logger: silent, now: () => clock });
    await reconcile(actions);
    const [created] = aws.userPools.clients(POOL_ID);
    aws.userPools.pools.get(POOL_ID)!.set(created!.clientId, { ...created!, callbackURLs: ['https://elsewhere.example.com/'] });
    clock += DEFAULT_RECHECK_MS;
    const repaired = await reconcile(actions);
    expect(repaired.components[0]!.message).toMatch(/; updated callbackURLs$/);
    clock += DEFAULT_RECHECK_MS;
    expect(await reconcile(actions)).toEqual(repaired);
  });
});

describe('environmentSecretWriter', () => {
  const env = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'shop', namespace: 'team-a', uid: 'env-uid' }, spec: {} } as unknown as MarketplaceEnvironment;
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'c' };
  type Secret = { metadata: Record<string, unknown>; data: Record<string, string> };
  const secretIn = (kube: FakeKubeClient) => kube.object<Secret>(ref)!;

  it('looks an unchanged Secret up and does not write it again', async () => {
    const kube = new FakeKubeClient();
    const writer = environmentSecretWriter(kube, env);
    await writer.write('c', { clientID: 'a', clientSecret: 's' });
    await writer.write('c', { clientID: 'a', clientSecret: 's' });
    expect(kube.callsTo('apply')).toHaveLength(1);
    expect(kube.callsTo('get')).toHaveLength(2);
  });

  it.each([
    ['a value changed', (kube: FakeKubeClient) => kube.apply({ ...secretIn(kube), data: { clientID: Buffer.from('old').toString('base64') } } as never)],
    ['the Secret was deleted', (kube: FakeKubeClient) => kube.delete(ref)],
    ['its labels were removed', (kube: FakeKubeClient) => kube.apply({ ...secretIn(kube), metadata: { ...secretIn(kube).metadata, labels: {} } } as never)],
  ])('writes it again when %s', async (_what, meddle) => {
    const kube = new FakeKubeClient();
    const writer = environmentSecretWriter(kube, env);
    await writer.write('c', { clientID: 'a' });
    await meddle(kube);
    const applies = kube.callsTo('apply').length;
    await writer.write('c', { clientID: 'a' });
    expect(kube.callsTo('apply')).toHaveLength(applies + 1);
    expect(kube.object<{ data: unknown; metadata: { labels: unknown } }>(ref)).toMatchObject({ data: { clientID: Buffer.from('a').toString('base64') }, metadata: { labels: { 'marketplace.platform.dev/environment': 'shop' } } });
  });
});
