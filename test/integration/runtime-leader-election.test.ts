// Leader election on a real coordination.k8s.io/v1 Lease: one leader at a time, MicroTime fields the server
// accepts, release on stop and quick takeover by the standby.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { LeaderElector } from '../../controllers/runtime/leader-election.js';
import { KubeLeaseLock } from '../../controllers/runtime/lease-lock.js';
import { loadTestKubeConfig, uniqueName, waitFor } from './helpers/kube.js';

const TIMEOUT_MS = 60_000;

interface LeaseJson extends KubernetesObject {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

describe('LeaderElector on a real Lease', () => {
  let kc: KubeConfig;
  let kube: ClientNodeKubeClient;
  const namespace = uniqueName('runtime-le');
  const leaseName = 'marketplace-operator';
  const electors: LeaderElector[] = [];

  function candidate(identity: string, log: string[]): LeaderElector {
    const elector = new LeaderElector({
      lock: KubeLeaseLock.fromKubeConfig(kc, { namespace, name: leaseName }),
      identity,
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
      onStartedLeading: () => log.push(`${identity}:started`),
      onStoppedLeading: (reason) => log.push(`${identity}:stopped:${reason}`),
    });
    electors.push(elector);
    return elector;
  }

  beforeAll(async () => {
    kc = loadTestKubeConfig();
    kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'runtime-it' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    await kube?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  }, TIMEOUT_MS);

  test('one of two candidates leads; on stop it releases and the other takes over', async () => {
    const log: string[] = [];
    const a = candidate('replica-a', log);
    a.start();
    await waitFor('replica-a to lead', async () => a.isLeader(), { timeoutMs: 10_000, intervalMs: 50 });
    const b = candidate('replica-b', log);
    b.start();

    const leaseRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: leaseName, namespace };
    const lease = await kube.get<LeaseJson>(leaseRef);
    expect(lease?.spec).toMatchObject({ holderIdentity: 'replica-a', leaseDurationSeconds: 3, leaseTransitions: 0 });
    expect(lease?.spec?.renewTime).toMatch(/\.\d{6}Z$/);

    // Several renew periods: a keeps renewing, b keeps waiting.
    await new Promise((r) => setTimeout(r, 2_000));
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const renewed = await kube.get<LeaseJson>(leaseRef);
    expect(renewed?.spec?.renewTime).not.toBe(lease?.spec?.renewTime);

    const stoppedAt = Date.now();
    await a.stop();
    await waitFor('replica-b to lead', async () => b.isLeader(), { timeoutMs: 10_000, intervalMs: 50 });
    // Released, so b did not have to wait for the 3 s lease to expire (its attempts come every 0.5-1.1 s).
    expect(Date.now() - stoppedAt).toBeLessThan(2_500);
    const taken = await kube.get<LeaseJson>(leaseRef);
    expect(taken?.spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
    expect(log).toEqual(['replica-a:started', 'replica-a:stopped:released', 'replica-b:started']);
  }, TIMEOUT_MS);
});
