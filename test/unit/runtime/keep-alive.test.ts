/** reuseConnections: one keep-alive agent per distinct TLS identity instead of client-node's agent per request. */
import { Agent } from 'node:https';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
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

/**
 * reuseConnections replaces KubeConfig's private `createAgent(cluster, agentOptions)`, which client-node 1.4.0 calls for
 * every request. These tests run against the installed client-node itself: if an upgrade renames the hook or stops
 * routing requests through it, they fail here instead of the operator silently going back to one TLS handshake per call.
 */
describe('the client-node hook reuseConnections relies on', () => {
  it('KubeConfig has a createAgent(cluster, agentOptions) method', () => {
    const hook = (KubeConfig.prototype as unknown as Record<string, unknown>).createAgent;
    expect(typeof hook).toBe('function');
    expect((hook as (...args: unknown[]) => unknown).length).toBe(2);
  });

  it('both request paths take their agent from it: the generated and object APIs, and Watch', async () => {
    const kc = reuseConnections(kubeConfig('https://127.0.0.1:6443'));
    const pooled = agentFor(kc);
    expect(pooled).toBeInstanceOf(Agent);
    // KubernetesObjectApi and the generated clients: applySecurityAuthentication sets the agent on the request.
    const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
    await kc.applySecurityAuthentication(context);
    expect(context.getAgent()).toBe(pooled);
    // Watch (the informers): applyToFetchOptions puts it into the fetch options.
    expect((await kc.applyToFetchOptions({})).agent).toBe(pooled);
  });
});
