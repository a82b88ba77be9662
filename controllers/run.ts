/**
 * `npm run controller`: runs the controller in the foreground against the cluster of KUBECONFIG (or in-cluster).
 * Environment: KUBECONFIG, WATCH_NAMESPACES (comma-separated; empty = all), LOG_LEVEL (info), CONCURRENCY (4),
 * LEADER_ELECT (false; true elects on Lease LEADER_ELECTION_NAMESPACE/marketplace-operator), POD_NAME (identity),
 * LEASE_DURATION_SECONDS / RENEW_DEADLINE_SECONDS / RETRY_PERIOD_SECONDS (15 / 10 / 2),
 * METRICS_BIND_ADDRESS (host:port of /metrics, /healthz, /readyz; default 127.0.0.1:8080; "0" disables).
 * `--help` prints this and exits (the container smoke check: every module loads).
 */
import { LEASE_NAME, OPERATOR_NAMESPACE } from '../charts/install/names.js';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { HealthServer } from './health-server.js';
import { EnvironmentController } from './environment-controller.js';
import { OperatorMetrics } from './metrics.js';
import { ApiWriteCounter } from './runtime/api-write-counter.js';
import { createLogger } from './runtime/logger.js';

const USAGE = `marketplace-operator controller: reconciles MarketplaceEnvironments into ACK resources.
Configured by environment variables:
  KUBECONFIG                 kubeconfig file (default: ~/.kube/config, else in-cluster service account)
  WATCH_NAMESPACES           comma-separated namespaces to watch (default: all)
  LOG_LEVEL                  pino level (default: info)
  CONCURRENCY                environments reconciled in parallel (default: 4)
  LEADER_ELECT               "true" to elect a leader on a Lease (default: false)
  LEADER_ELECTION_NAMESPACE  namespace of Lease marketplace-operator (default: marketplace-system)
  POD_NAME                   leader-election identity (default: <hostname>-<pid>)
  LEASE_DURATION_SECONDS, RENEW_DEADLINE_SECONDS, RETRY_PERIOD_SECONDS   lease timings (default: 15, 10, 2)
  METRICS_BIND_ADDRESS       host:port serving /metrics, /healthz, /readyz (default: 127.0.0.1:8080; "0" disables)
`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const env = process.env;
const logger = createLogger({ level: (env.LOG_LEVEL ?? 'info') as 'info' });
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
/** Milliseconds from an optional positive number of seconds in `name`. */
const secondsEnv = (name: string): number | undefined => {
  if (!env[name]) return undefined;
  const value = Number(env[name]);
  if (!(value > 0)) throw new Error(`${name} must be a positive number of seconds, got "${env[name]}"`);
  return value * 1000;
};
const writes = new ApiWriteCounter();
const metrics = new OperatorMetrics();
metrics.trackWrites(writes);

const controller = new EnvironmentController({
  kubeConfig,
  logger,
  namespaces: (env.WATCH_NAMESPACES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  concurrency: Number(env.CONCURRENCY ?? 4),
  writes,
  metrics: metrics.workQueue('marketplaceenvironment'),
  reconcileMetrics: metrics,
  leaderElection:
    env.LEADER_ELECT === 'true'
      ? {
          namespace: env.LEADER_ELECTION_NAMESPACE ?? OPERATOR_NAMESPACE,
          name: LEASE_NAME,
          identity: env.POD_NAME ?? `${hostname()}-${process.pid}`,
          leaseDurationMs: secondsEnv('LEASE_DURATION_SECONDS'),
          renewDeadlineMs: secondsEnv('RENEW_DEADLINE_SECONDS'),
          retryPeriodMs: secondsEnv('RETRY_PERIOD_SECONDS'),
        }
      : undefined,
  onLostLeadership: () => {
    logger.error('lost leadership: exiting so a fresh process can compete again');
    process.exit(1);
  },
});

if (env.LEADER_ELECT === 'true') metrics.trackLeader(LEASE_NAME, () => controller.health().leading);
const bindAddress = env.METRICS_BIND_ADDRESS ?? '127.0.0.1:8080';
const health =
  bindAddress === '0'
    ? undefined
    : new HealthServer({
        address: bindAddress,
        metrics,
        logger,
        probe: { alive: () => !controller.health().stopped, ready: () => controller.health().synced },
      });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await controller.stop();
  await health?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

// The probes answer while the caches sync (alive, not ready); a taken address is fatal, as in controller-runtime.
Promise.resolve(health?.start())
  .then(() => controller.start())
  .catch((err: unknown) => {
    logger.fatal({ err }, 'controller failed to start');
    process.exit(1);
  });
