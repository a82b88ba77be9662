/** status.outputs: the values applications need, read from live children once AWS reports them. Pure. */
import type { MarketplaceEnvironment, Outputs } from '../../api/index.js';

/** A live child as read from the cache. */
export type LiveChild = { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const arnOf = (o: LiveChild | undefined): string | undefined => o?.status?.ackResourceMetadata?.arn;

/** Drops undefined values and empty objects/arrays, so outputs only list what is known. */
function compact<T>(value: T): T | undefined {
  if (Array.isArray(value)) {
    const items = value.map(compact).filter((v) => v !== undefined);
    return (items.length > 0 ? items : undefined) as T | undefined;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compact(v)] as const).filter(([, v]) => v !== undefined);
    return (entries.length > 0 ? Object.fromEntries(entries) : undefined) as T | undefined;
  }
  return value === '' ? undefined : value;
}

function databaseOutputs(env: MarketplaceEnvironment, byName: (kind: string, name: string) => LiveChild | undefined): Outputs['database'] {
  const db = env.spec.database;
  if (!db) return undefined;
  const name = `${env.metadata.name}-db`;
  const cluster = byName('DBCluster', name);
  const instance = byName('DBInstance', name);
  const source = cluster ?? instance;
  return {
    writerEndpoint: cluster?.status?.endpoint ?? instance?.status?.endpoint?.address,
    readerEndpoint: cluster?.status?.readerEndpoint,
    port: source?.spec?.port ?? instance?.status?.endpoint?.port,
    credentialsSecret: db.credentials === 'GeneratedSecret' ? `${env.metadata.name}-db-master` : undefined,
    masterUserSecretARN: source?.status?.masterUserSecret?.secretARN,
  };
}

/** Outputs of `env` given its live children. */
export function computeOutputs(env: MarketplaceEnvironment, children: readonly LiveChild[]): Outputs {
  const prefix = `${env.metadata.name}-`;
  const byName = (kind: string, name: string) => children.find((c) => c.kind === kind && c.metadata?.name === name);
  const ofKind = (kind: string) => children.filter((c) => c.kind === kind).sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  const subnetIDs: Record<string, string[]> = {};
  for (const s of ofKind('Subnet')) {
    const tier = String(s.metadata?.name).slice(prefix.length).split('-')[1] ?? 'unknown';
    if (s.status?.subnetID) (subnetIDs[tier] ??= []).push(s.status.subnetID);
  }
  const securityGroupIDs = Object.fromEntries(ofKind('SecurityGroup').map((g) => [String(g.metadata?.name).split('-sg-').pop(), g.status?.id]));
  const rg = byName('ReplicationGroup', `${prefix}cache`);
  const cacheEndpoint = rg?.status?.configurationEndpoint ?? rg?.status?.nodeGroups?.[0]?.primaryEndpoint;
  const distribution = byName('Distribution', `${prefix}cdn`);
  const outputs: Outputs = {
    vpcID: byName('VPC', `${prefix}vpc`)?.status?.vpcID,
    subnetIDs,
    securityGroupIDs,
    kmsKeyARN: arnOf(byName('Key', `${prefix}kms`)),
    database: databaseOutputs(env, byName),
    cache: env.spec.cache ? { configurationEndpoint: cacheEndpoint?.address, port: cacheEndpoint?.port } : undefined,
    buckets: ofKind('Bucket').map((b) => ({ name: String(b.metadata?.name).slice(`${prefix}bucket-`.length), bucketName: b.spec?.name, arn: arnOf(b) })),
    cdn: distribution ? { domainName: distribution.status?.domainName, distributionID: distribution.status?.id } : undefined,
    firewall: env.spec.firewall ? { webACLARN: arnOf(byName('WebACL', `${prefix}waf`)) } : undefined,
    secrets: env.spec.secrets.map((s) => ({ name: s.name, arn: byName('Secret', `${prefix}secret-${s.name}`)?.status?.id, rotationDays: s.rotationDays })),
  };
  return compact(outputs) ?? {};
}
