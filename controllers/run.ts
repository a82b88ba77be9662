/**
 * `npm run controller`: runs the controller in the foreground against the cluster of KUBECONFIG (or in-cluster).
 * Environment: KUBECONFIG, WATCH_NAMESPACES (comma-separated; empty = all), LOG_LEVEL (info), CONCURRENCY (4),
 * LEADER_ELECT (false; true elects on Lease LEADER_ELECTION_NAMESPACE/marketplace-operator), POD_NAME (identity).
 */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from './manager.js';
import { createLogger } from './runtime/logger.js';

const env = process.env;
const logger = createLogger({ level: (env.LOG_LEVEL ?? 'info') as 'info' });
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();

const manager = new Manager({
  kubeConfig,
  logger,
  namespaces: (env.WATCH_NAMESPACES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  concurrency: Number(env.CONCURRENCY ?? 4),
  leaderElection:
    env.LEADER_ELECT === 'true'
      ? { namespace: env.LEADER_ELECTION_NAMESPACE ?? 'marketplace-system', name: 'marketplace-operator', identity: env.POD_NAME ?? `${hostname()}-${process.pid}` }
      : undefined,
  onLostLeadership: () => {
    logger.error('lost leadership: exiting so a fresh process can compete again');
    process.exit(1);
  },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await manager.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

manager.start().catch((err: unknown) => {
  logger.fatal({ err }, 'controller failed to start');
  process.exit(1);
});
