/** Formatting of the main job's progress lines (pure). */
import type { MarketplaceEnvironmentStatus } from '../api/index.js';

/** One line per change: phase, summary and the Ready condition's reason and message. */
export function statusLine(name: string, status: MarketplaceEnvironmentStatus | undefined): string {
  if (!status?.phase) return `${name}: Pending (no status yet)`;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  return `${name}: ${status.phase} ${status.summary ?? ''} — ${ready?.reason ?? ''}${ready?.message ? `: ${ready.message}` : ''}`.slice(0, 400);
}

/** The children table: component, kind/name, state and reason, aligned. */
export function componentTable(status: MarketplaceEnvironmentStatus | undefined): string[] {
  const rows = (status?.components ?? []).map((c) => [c.component, `${c.kind}/${c.name}`, c.state, c.reason ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 0));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
}

/** Whether the status has settled: Ready or Degraded for the current generation, or unchanged for `stableMs`. */
export function settled(status: MarketplaceEnvironmentStatus | undefined, generation: number | undefined, unchangedForMs: number, stableMs: number): boolean {
  if (!status || status.observedGeneration !== generation) return false;
  if (status.phase === 'Ready' || status.phase === 'Degraded') return true;
  return unchangedForMs >= stableMs;
}

/** The environment's outputs, one `name: value` line each (what an application would be configured with). */
export function outputLines(status: MarketplaceEnvironmentStatus | undefined): string[] {
  const o = status?.outputs;
  if (!o) return [];
  const lines: [string, string | number | undefined][] = [
    ['VPC', o.vpcID],
    ...Object.entries(o.subnetIDs ?? {}).map(([tier, ids]): [string, string] => [`subnets ${tier}`, ids.join(', ')]),
    ...Object.entries(o.securityGroupIDs ?? {}).map(([tier, id]): [string, string] => [`security group ${tier}`, id]),
    ['KMS key', o.kmsKeyARN],
    ['database writer', o.database?.writerEndpoint && `${o.database.writerEndpoint}:${o.database.port ?? ''}`],
    ['database reader', o.database?.readerEndpoint],
    ['database password', o.database?.credentialsSecret ? `Kubernetes Secret ${o.database.credentialsSecret}` : o.database?.masterUserSecretARN],
    ['cache', o.cache?.configurationEndpoint && `${o.cache.configurationEndpoint}:${o.cache.port ?? ''}`],
    ...(o.buckets ?? []).map((b): [string, string | undefined] => [`bucket ${b.name}`, b.arn ?? b.bucketName]),
    ['CDN', o.cdn?.domainName],
    ['web ACL', o.firewall?.webACLARN],
    ...(o.secrets ?? []).map((s): [string, string | undefined] => [`secret ${s.name}`, s.arn]),
  ];
  return lines.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`);
}
