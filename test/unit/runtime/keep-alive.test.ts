/** reuseConnections: one keep-alive agent per distinct TLS identity instead of client-node's agent per request. */
import { Agent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { reuseConnections, tlsOptionsKey } from '../../../controllers/runtime/keep-alive.js';

const kubeConfig = (server: string, extra: Record<string, unknown> = {}) => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: false, ...extra }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
};

/** The agent client-node would use for one request with `tls` options. */
const agentFor = (kc: KubeConfig, tls: Record<string, unknown> = {}) =>
  (kc as unknown as { createAgent: (c: unknown, o: Record<string, unknown>) => unknown }).createAgent(kc.getCurrentCluster(), tls);

describe('reuseConnections', () => {
  it('stock client-node makes a new agent per request (the cost this removes)', () => {
    const kc = kubeConfig('https://127.0.0.1:6443');
    expect(agentFor(kc)).not.toBe(agentFor(kc));
  });

  it('hands every request with the same TLS options one keep-alive agent, and is idempotent', () => {
    const kc = reuseConnections(reuseConnections(kubeConfig('https://127.0.0.1:6443')));
    const a = agentFor(kc, { ca: Buffer.from('ca'), timeout: 1 });
    expect(a).toBeInstanceOf(Agent);
    expect((a as Agent & { keepAlive: boolean }).keepAlive).toBe(true);
    expect(agentFor(kc, { ca: Buffer.from('ca'), timeout: 2 })).toBe(a);
    expect((a as Agent).options.timeout).toBeUndefined();
  });

  it('uses a new agent when the client certificate changes (rotated credentials)', () => {
    const kc = reuseConnections(kubeConfig('https://127.0.0.1:6443'));
    expect(agentFor(kc, { cert: 'one', key: 'k' })).not.toBe(agentFor(kc, { cert: 'two', key: 'k' }));
    expect(tlsOptionsKey({ cert: Buffer.from('one') })).toBe(tlsOptionsKey({ cert: Buffer.from('one'), timeout: 5 }));
  });

  it('leaves proxied clusters to client-node', () => {
    const kc = reuseConnections(kubeConfig('https://127.0.0.1:6443', { proxyUrl: 'http://proxy:3128' }));
    expect(agentFor(kc)).not.toBe(agentFor(kc));
  });
});
