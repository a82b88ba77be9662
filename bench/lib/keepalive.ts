/**
 * Connection reuse for client-node 1.4.0, as a benchmark experiment (`--keepalive`): client-node builds a new
 * `https.Agent` for every request (KubeConfig.applySecurityAuthentication → createAgent), so every API call pays a
 * TCP connect, a TLS handshake and a new SecureContext (CA parsing) on both sides. This returns the same KubeConfig
 * with one shared keep-alive agent per config. It is the change docs/benchmarks.md proposes for controllers/runtime.
 */
import { Agent } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => unknown;

/** Makes `kc` hand out one keep-alive agent (created from the first request's TLS options) to every request. */
export function withKeepAlive(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(kc);
  let shared: unknown;
  target.createAgent = (cluster, options) => {
    const c = cluster as { proxyUrl?: string; server?: string } | undefined;
    // Proxies and plain HTTP keep client-node's own agents.
    if (c?.proxyUrl || c?.server?.startsWith('http:')) return original(cluster, options);
    return (shared ??= new Agent({ ...options, keepAlive: true, maxSockets: 64 }));
  };
  return kc;
}
