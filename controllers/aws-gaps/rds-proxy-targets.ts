/**
 * RdsProxyTargets: the database behind an RDS Proxy, which no ACK kind sets (the rds-controller has DBProxy but no
 * target group kind; docs/aws-gaps.md). A proxy has one target group, `default`, holding exactly one DB instance or
 * Aurora DB cluster, so ensuring is one DescribeDBProxyTargets and, when the declared database is not the one
 * registered, a deregistration of the other and a registration. Undo deregisters the database; a proxy AWS no longer
 * knows has nothing to undo.
 */
import type { RdsProxyTargets } from '../../charts/aws-gaps.js';
import { AwsCallError, awsCall } from './aws-errors.js';
import type { ProxyDatabase, ProxyTargetState } from './clients.js';
import type { GapHandler } from './handler.js';

/** AWS's answers when the proxy, or the target, is gone already (undo counts them as done). */
const GONE = new Set(['DBProxyNotFoundFault', 'DBProxyTargetNotFoundFault']);

/** The database `gap` declares. */
function declared(gap: RdsProxyTargets): ProxyDatabase {
  return gap.dbClusterIdentifier ? { kind: 'cluster', identifier: gap.dbClusterIdentifier } : { kind: 'instance', identifier: gap.dbInstanceIdentifier! };
}

/**
 * The databases registered, from the targets AWS lists: an Aurora cluster is one TRACKED_CLUSTER target plus one
 * RDS_INSTANCE target per member (TrackedClusterId set); a DB instance is one RDS_INSTANCE target without a cluster.
 */
function registered(targets: readonly ProxyTargetState[]): ProxyDatabase[] {
  const found = new Map<string, ProxyDatabase>();
  for (const t of targets) {
    const cluster = t.trackedClusterId ?? (t.type === 'TRACKED_CLUSTER' ? t.rdsResourceId : undefined);
    if (cluster) found.set(`cluster ${cluster}`, { kind: 'cluster', identifier: cluster });
    else if (t.type === 'RDS_INSTANCE' && t.rdsResourceId) found.set(`instance ${t.rdsResourceId}`, { kind: 'instance', identifier: t.rdsResourceId });
  }
  return [...found.values()];
}

const same = (a: ProxyDatabase, b: ProxyDatabase) => a.kind === b.kind && a.identifier === b.identifier;
const label = (d: ProxyDatabase) => `DB ${d.kind} ${d.identifier}`;

/** See the module comment. */
export const rdsProxyTargets: GapHandler<RdsProxyTargets> = {
  kind: 'RdsProxyTargets',

  ensureInputs: (gap) => ({ proxyARN: gap.proxyARN, databaseARN: gap.databaseARN }),

  targetInputs: (gap) => ({ proxyARN: gap.proxyARN }),

  async ensure({ clients, region }, _values, gap) {
    const api = clients.rdsProxy(region);
    const database = declared(gap);
    const current = registered(await awsCall('DescribeDBProxyTargets', () => api.targets(gap.proxyName)));
    const message = `${label(database)} is the target of proxy ${gap.proxyName}`;
    if (current.some((d) => same(d, database))) return { message, changed: false };
    // The target group holds one database: another one (the spec changed engines) goes first.
    for (const other of current) await awsCall('DeregisterDBProxyTargets', () => api.deregister(gap.proxyName, other));
    await awsCall('RegisterDBProxyTargets', () => api.register(gap.proxyName, database));
    return { message: current.length > 0 ? `${message} (replacing ${current.map(label).join(', ')})` : message, changed: true };
  },

  async undo({ clients, region }, _values, gap) {
    const api = clients.rdsProxy(region);
    const database = declared(gap);
    try {
      if (!registered(await awsCall('DescribeDBProxyTargets', () => api.targets(gap.proxyName))).some((d) => same(d, database))) return false;
      await awsCall('DeregisterDBProxyTargets', () => api.deregister(gap.proxyName, database));
      return true;
    } catch (err) {
      if (err instanceof AwsCallError && GONE.has(err.code)) return false;
      throw err;
    }
  },
};
