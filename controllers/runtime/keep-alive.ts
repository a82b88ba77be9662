/**
 * Connection reuse for client-node 1.4: the library builds a new `https.Agent` for every request
 * (KubeConfig.applySecurityAuthentication / applyToHTTPSOptions → createAgent), so every API call pays a TCP
 * connect, a TLS handshake and a new SecureContext on both sides. client-go keeps one HTTP/2 connection instead.
 * Measured with `npm run bench` (docs/benchmarks.md): the handshakes were the largest CPU cost of the API server
 * under the operator's load.
 *
 * {@link reuseConnections} makes a KubeConfig hand out keep-alive agents, one per distinct set of TLS options, so a
 * rotated client certificate (exec credential plugins) still gets a new agent. Watches hold one socket each; the agent
 * has no socket limit, so they never starve other requests.
 *
 * `createAgent` is private to client-node, so package.json pins client-node exactly, and
 * test/unit/runtime/keep-alive.test.ts fails against an installed version that no longer routes requests through it.
 */
import { Agent, type AgentOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => unknown;

/** TLS options that select an agent (everything that changes the connection, not the request). */
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'secureProtocol'] as const;

/** Agents kept per KubeConfig; older ones are dropped (their open sockets finish normally). */
const MAX_AGENTS = 4;

const patched = new WeakSet<KubeConfig>();

/** A stable key for the TLS options of one request. */
export function tlsOptionsKey(options: Record<string, unknown>): string {
  return JSON.stringify(TLS_KEYS.map((k) => {
    const v = options[k];
    return Buffer.isBuffer(v) ? v.toString('base64') : (v ?? null);
  }));
}

/**
 * Makes `kc` reuse connections (see the module comment) and returns it. Idempotent. Proxies and plain HTTP keep
 * client-node's own agents.
 */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  if (patched.has(kc)) return kc;
  patched.add(kc);
  const target = kc as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const c = cluster as { proxyUrl?: string; server?: string } | undefined;
    if (c?.proxyUrl || c?.server?.startsWith('http:')) return original(cluster, options);
    const key = tlsOptionsKey(options);
    let agent = agents.get(key);
    if (!agent) {
      const { timeout: _perRequest, ...agentOptions } = options;
      agent = new Agent({ ...(agentOptions as AgentOptions), keepAlive: true });
      agents.set(key, agent);
      if (agents.size > MAX_AGENTS) agents.delete(agents.keys().next().value!);
    }
    return agent;
  };
  return kc;
}
