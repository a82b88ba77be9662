/**
 * An environment's `status.outputs` compared with what moto's API reports (test/e2e/aws_snapshot.py), for every section
 * whose children are expected Ready here; and no output from a child that never synced.
 */
import { expect } from '@jest/globals';
import type { MarketplaceEnvironmentStatus } from '../../../api/index.js';
import { OUTPUTS_ANNOTATION, type OutputDeclaration } from '../../../charts/outputs.js';
import type { AwsSnapshot } from './aws.js';
import type { Child } from './children.js';
import type { Expected } from './expectations.js';
import type { Run } from './results.js';

/** Value at a JSON pointer of `root`. */
function at(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const part of pointer.split('/').slice(1)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

const declarationsOf = (o: { metadata: { annotations?: Record<string, string> } }) => JSON.parse(o.metadata.annotations?.[OUTPUTS_ANNOTATION] ?? '[]') as OutputDeclaration[];

/** Checks `status` of `run` against `aws`; `children` are the live children, `expected` their expected states. */
export function checkOutputs(run: Run, status: MarketplaceEnvironmentStatus, children: readonly Child[], aws: AwsSnapshot, expected: readonly Expected[]): void {
  const out = status.outputs ?? {};
  const region = aws.regions[run.region]!;
  const spec = run.manifest.spec;
  const rendered = (kind: string) => run.rendered.filter((o) => o.kind === kind);
  // Network: the VPC with the spec's CIDR, all of its subnets and security groups, by the ids AWS gave them.
  const vpc = region.vpcs.find((v) => v.id === out.vpcID);
  expect(vpc?.cidr).toBe(spec.network.vpcCIDR);
  expect(Object.values(out.subnetIDs ?? {}).flat().sort()).toEqual(region.subnets.filter((s) => s.vpc === out.vpcID).map((s) => s.id).sort());
  expect(Object.keys(out.subnetIDs ?? {}).sort()).toEqual(Object.keys(spec.network.subnets).filter((t) => spec.network.subnets[t].countPerAZ > 0).sort());
  expect(Object.values(out.securityGroupIDs ?? {}).sort()).toEqual(region.securityGroups.filter((g) => g.vpc === out.vpcID).map((g) => g.id).sort());
  // The environment key, in the environment's region.
  if (rendered('Key').length > 0) {
    expect(region.keys.find((k) => k.arn === out.kmsKeyARN)?.state).toBe('Enabled');
    expect(out.kmsKeyARN).toContain(`:${run.region}:`);
  }
  // Database endpoints and port.
  if (spec.database) {
    const db = children.find((c) => (c.kind === 'DBCluster' || c.kind === 'DBInstance') && c.metadata?.name === `${run.name}-db`)!;
    if (db.kind === 'DBCluster') {
      const cluster = region.dbClusters.find((c) => c.id === db.spec?.dbClusterIdentifier);
      expect(cluster?.status).toBe('available');
      expect(out.database).toMatchObject({ writerEndpoint: cluster?.endpoint, readerEndpoint: cluster?.readerEndpoint, port: cluster?.port });
      expect(region.dbInstances.filter((i) => i.cluster === cluster?.id)).toHaveLength(1 + (spec.database.readers ?? 0));
    } else {
      const instance = region.dbInstances.find((i) => i.id === db.spec?.dbInstanceIdentifier);
      expect(instance?.status).toBe('available');
      expect(out.database).toMatchObject({ writerEndpoint: instance?.address, port: instance?.port });
      if (spec.database.credentials === 'AWSManaged') expect(out.database?.masterUserSecretARN).toBe(instance?.masterUserSecretARN);
    }
    expect(out.database?.writerEndpoint).toBeTruthy();
  }
  // Buckets: ARN, existence, and the KMS key as default encryption where the spec asks for it.
  expect(out.buckets?.map((b) => b.name).sort()).toEqual((spec.storage?.buckets ?? []).map((b: { name: string }) => b.name).sort());
  for (const b of out.buckets ?? []) {
    expect(b.arn).toBe(`arn:aws:s3:::${b.bucketName}`);
    const live = aws.buckets.find((x) => x.name === b.bucketName);
    expect(live).toBeDefined();
    if (spec.storage.buckets.find((x: { name: string }) => x.name === b.name)?.encryption === 'KMS') {
      expect(live).toMatchObject({ sseAlgorithm: 'aws:kms', kmsKeyID: out.kmsKeyARN });
    }
  }
  // Secrets Manager secrets by ARN.
  for (const s of out.secrets ?? []) expect(region.secrets.find((x) => x.arn === s.arn && !x.deleted)).toBeDefined();
  expect(out.secrets ?? []).toHaveLength(spec.secrets?.length ?? 0);
  // Load balancer: the ALB moto has under that ARN, its DNS name and zone; target groups by the name in the spec.
  for (const o of rendered('LoadBalancer')) {
    const lb = region.loadBalancers.find((l) => l.arn === out.loadBalancer?.arn);
    expect(lb?.name).toBe((o as { spec?: { name?: string } }).spec?.name);
    expect(out.loadBalancer).toMatchObject({ dnsName: lb?.dnsName, canonicalHostedZoneID: lb?.canonicalHostedZoneID });
  }
  for (const o of rendered('TargetGroup')) {
    const tg = region.targetGroups.find((t) => t.name === (o as { spec?: { name?: string } }).spec?.name);
    // ACK recorded the ARN (the charts create the group without attributes: with them, elbv2-controller v1.5.1 records
    // none until its resync, docs/e2e.md), and it and the output are moto's ARN of the group with the spec's name.
    const recorded = children.find((c) => c.kind === 'TargetGroup' && c.metadata?.name === o.metadata.name)?.status?.ackResourceMetadata?.arn;
    expect(recorded).toBe(tg?.arn);
    for (const d of declarationsOf(o)) expect([d.output, at(out, d.output)]).toEqual([d.output, tg?.arn]);
  }
  // Registry: the repository moto has under that URI.
  for (const o of rendered('Repository')) {
    expect(region.repositories.find((r) => r.uri === out.registry?.repositoryURI)?.name).toBe((o as { spec?: { name?: string } }).spec?.name);
  }
  // No output from a field of a child that is not Ready (another child may declare the same output).
  const readyNames = new Set(expected.filter((e) => e.state === 'Ready').map((e) => `${e.kind}/${e.name}`));
  const fromReady = new Set(run.rendered.filter((o) => readyNames.has(`${o.kind}/${o.metadata.name}`)).flatMap((o) => declarationsOf(o).map((d) => d.output)));
  for (const o of run.rendered.filter((r) => !readyNames.has(`${r.kind}/${r.metadata.name}`))) {
    for (const d of declarationsOf(o).filter((d) => 'fieldPath' in d && !fromReady.has(d.output))) {
      expect([`${o.kind}/${o.metadata.name}`, d.output, at(out, d.output)]).toEqual([`${o.kind}/${o.metadata.name}`, d.output, undefined]);
    }
  }
}
