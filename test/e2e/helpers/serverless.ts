/**
 * The serverless tier's children whose controller runs here, as moto's own API shows them (test/e2e/aws_snapshot.py):
 * the VPC endpoints (ec2) and the alias of the environment key (kms). Lambda, DynamoDB, API Gateway and CloudWatch
 * Logs have no controller here (docs/e2e.md, "The serverless tier"): their children, and the functions' IAM roles and
 * policies that wait for them, are covered by the expected component states and, for IAM, by the application-tier
 * report (absent from moto). Also where each environment's regional resources are: in its own region and no other
 * (example 003 is one environment per region). Pure.
 */
import type { RenderedObject } from '../../../charts/render.js';
import type { AwsSnapshot, RegionSnapshot } from './aws.js';
import { isSynced, serviceOf, type Child } from './children.js';
import type { Expected } from './expectations.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `<service> <Kind>` of the serverless tier's children that a controller here serves. */
export const SERVERLESS_SERVED_KEYS = ['ec2 VPCEndpoint', 'kms Alias'];

/** What {@link serverlessReport} needs of an e2e run (helpers/results.ts Run). */
export interface ServerlessRun {
  readonly region: string;
  readonly manifest: Spec;
  readonly rendered: readonly RenderedObject[];
  readonly expected: readonly Expected[];
  readonly env?: { status?: { outputs?: Spec } };
}

/** The serverless tier of one environment in moto. */
export interface ServerlessReport {
  /** Differences from what the spec and the expected states ask for (empty when none). */
  problems: string[];
  /** One line per resource found, for the results page. */
  found: string[];
}

const keyOf = (o: { apiVersion?: string; kind?: string }) => `${serviceOf(o.apiVersion)} ${o.kind}`;
const specOf = (o: RenderedObject): Spec => (o as { spec?: Spec }).spec ?? {};
const refNames = (refs: unknown): string[] => ((refs ?? []) as { from: { name: string } }[]).map((r) => r.from.name);
const same = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/**
 * Every VPC endpoint and KMS alias `run` renders, against moto's region of the run (`region`), using the ids ACK
 * recorded in `children`: an endpoint expected Ready is there once, available, in the environment's VPC, with the
 * spec's service; a gateway endpoint is on exactly the route tables of the private and isolated subnets, each of which
 * routes the service's AWS prefix list to it; an interface endpoint has one subnet per zone, all of the spec's tier,
 * private DNS, and a security group accepting HTTPS from the VPC CIDR only. The alias is there once and names the
 * environment key, and `status.outputs.kmsAliasName` is its name. A child expected to wait is absent.
 */
export function serverlessReport(run: ServerlessRun, children: readonly Child[], region: RegionSnapshot): ServerlessReport {
  const report: ServerlessReport = { problems: [], found: [] };
  const problem = (what: string, text: string) => report.problems.push(`${what}: ${text}`);
  const state = new Map(run.expected.map((e) => [`${e.kind}/${e.name}`, e.state]));
  const ready = (o: RenderedObject) => state.get(`${o.kind}/${o.metadata.name}`) === 'Ready';
  const child = (kind: string, name: string) => children.find((c) => c.kind === kind && c.metadata?.name === name);
  const statusId = (kind: string, field: string) => (name: string) => child(kind, name)?.status?.[field] as string | undefined;
  const spec = run.manifest.spec;
  const outputs = run.env?.status?.outputs ?? {};
  const vpcID = children.find((c) => c.kind === 'VPC')?.status?.vpcID as string | undefined;
  const subnetIDs = (outputs.subnetIDs ?? {}) as Record<string, string[]>;

  for (const o of run.rendered.filter((r) => keyOf(r) === 'ec2 VPCEndpoint')) {
    const what = `${o.kind}/${o.metadata.name}`;
    const s = specOf(o);
    const inMoto = region.vpcEndpoints.filter((e) => e.vpc === vpcID && e.serviceName === s.serviceName && e.type === s.vpcEndpointType && e.state !== 'deleted');
    if (!ready(o)) {
      if (inMoto.length > 0) problem(what, `expected to wait (${state.get(what)}), but ${inMoto.map((e) => e.id).join(', ')} exists in moto`);
      continue;
    }
    if (!String(s.serviceName).startsWith(`com.amazonaws.${run.region}.`)) problem(what, `service ${s.serviceName} is not of the environment's region ${run.region}`);
    if (inMoto.length !== 1) {
      problem(what, `${inMoto.length} ${s.vpcEndpointType} endpoints of ${s.serviceName} in VPC ${vpcID} in moto, expected 1`);
      continue;
    }
    const e = inMoto[0]!;
    const recorded = child(o.kind, o.metadata.name)?.status?.vpcEndpointID as string | undefined;
    if (e.id !== recorded) problem(what, `ACK recorded ${recorded}, moto has ${e.id}`);
    if (e.state !== 'available') problem(what, `state ${e.state} in moto, expected available`);
    if (s.vpcEndpointType === 'Gateway') {
      const tables = refNames(s.routeTableRefs).map(statusId('RouteTable', 'routeTableID'));
      if (!same(e.routeTables, tables)) problem(what, `route tables ${e.routeTables.join(', ')} in moto, the spec's are ${tables.join(', ')}`);
      // The intent, in moto's own terms: the tables the private and isolated subnets are associated with.
      const inner = [...(subnetIDs.private ?? []), ...(subnetIDs.isolated ?? [])];
      const innerTables = region.routeTables.filter((t) => t.subnets.some((id) => inner.includes(id))).map((t) => t.id);
      if (!same(e.routeTables, innerTables)) problem(what, `route tables ${e.routeTables.join(', ')}, but the private and isolated subnets use ${innerTables.join(', ')}`);
      const prefixList = region.prefixLists[s.serviceName];
      for (const id of e.routeTables) {
        const routes = region.routeTables.find((t) => t.id === id)?.routes ?? [];
        if (!routes.some((r) => r.destination === prefixList && r.target === e.id)) problem(what, `route table ${id} has no route from ${prefixList} (${s.serviceName}) to ${e.id}`);
      }
      report.found.push(`Gateway ${s.serviceName} (${e.id}) on ${e.routeTables.length} route tables`);
    } else {
      const subnets = refNames(s.subnetRefs).map(statusId('Subnet', 'subnetID'));
      if (!same(e.subnets, subnets)) problem(what, `subnets ${e.subnets.join(', ')} in moto, the spec's are ${subnets.join(', ')}`);
      const tier = (spec.network?.endpoints?.subnetTier ?? 'private') as string;
      const outside = e.subnets.filter((id) => !(subnetIDs[tier] ?? []).includes(id));
      if (outside.length > 0) problem(what, `subnets ${outside.join(', ')} are not ${tier} subnets`);
      const zones = e.subnets.map((id) => region.subnets.find((x) => x.id === id)?.az);
      if (!same([...new Set(zones)], spec.network.availabilityZones as string[]) || zones.length !== new Set(zones).size) {
        problem(what, `subnets in zones ${zones.join(', ')}, expected one in each of ${(spec.network.availabilityZones as string[]).join(', ')}`);
      }
      const groups = refNames(s.securityGroupRefs).map(statusId('SecurityGroup', 'id'));
      if (!same(e.securityGroups, groups)) problem(what, `security groups ${e.securityGroups.join(', ')} in moto, the spec's are ${groups.join(', ')}`);
      for (const id of e.securityGroups) {
        const ingress = region.securityGroups.find((g) => g.id === id)?.ingress;
        if (!same(ingress ?? [], [`tcp 443-443 ${spec.network.vpcCIDR}`])) problem(what, `security group ${id} accepts ${JSON.stringify(ingress)}, expected HTTPS from ${spec.network.vpcCIDR} only`);
      }
      if (e.privateDNSEnabled !== true) problem(what, 'private DNS is not enabled in moto');
      report.found.push(`Interface ${s.serviceName} (${e.id}) in ${e.subnets.length} subnets`);
    }
  }

  for (const o of run.rendered.filter((r) => keyOf(r) === 'kms Alias')) {
    const what = `${o.kind}/${o.metadata.name}`;
    const s = specOf(o);
    const inMoto = region.aliases.filter((a) => a.name === s.name);
    if (!ready(o)) {
      if (inMoto.length > 0) problem(what, `expected to wait (${state.get(what)}), but ${s.name} exists in moto`);
      continue;
    }
    if (inMoto.length !== 1) {
      problem(what, `${inMoto.length} aliases ${s.name} in moto, expected 1`);
      continue;
    }
    const keyID = statusId('Key', 'keyID')(refNames([s.targetKeyRef])[0] ?? '');
    if (!keyID || inMoto[0]!.targetKeyID !== keyID) problem(what, `targets key ${inMoto[0]!.targetKeyID} in moto, expected the environment key ${keyID}`);
    if (!String(outputs.kmsKeyARN).endsWith(`:key/${inMoto[0]!.targetKeyID}`)) problem(what, `targets ${inMoto[0]!.targetKeyID}, but status.outputs.kmsKeyARN is ${outputs.kmsKeyARN}`);
    if (outputs.kmsAliasName !== s.name) problem(what, `status.outputs.kmsAliasName is ${outputs.kmsAliasName}, expected ${s.name}`);
    report.found.push(`Alias ${s.name} → key ${inMoto[0]!.targetKeyID}`);
  }
  return report;
}

/** How a regional child (by `<service> <Kind>`) is found in a region of {@link AwsSnapshot}: its id as ACK recorded it, and the region's ids. */
const REGIONAL: Record<string, { id: (c: Child) => unknown; ids: (r: RegionSnapshot) => string[] }> = {
  'ec2 VPC': { id: (c) => c.status?.vpcID, ids: (r) => r.vpcs.map((v) => v.id) },
  'ec2 Subnet': { id: (c) => c.status?.subnetID, ids: (r) => r.subnets.map((s) => s.id) },
  'ec2 SecurityGroup': { id: (c) => c.status?.id, ids: (r) => r.securityGroups.map((g) => g.id) },
  'ec2 RouteTable': { id: (c) => c.status?.routeTableID, ids: (r) => r.routeTables.map((t) => t.id) },
  'ec2 VPCEndpoint': { id: (c) => c.status?.vpcEndpointID, ids: (r) => r.vpcEndpoints.filter((e) => e.state !== 'deleted').map((e) => e.id) },
  'kms Key': { id: (c) => c.status?.keyID, ids: (r) => r.keys.filter((k) => k.state === 'Enabled').map((k) => k.id) },
  'kms Alias': { id: (c) => c.spec?.name, ids: (r) => r.aliases.map((a) => a.name) },
};

/** Whether {@link regionReport} locates children of the kind of `o`. */
export const isRegional = (o: { apiVersion?: string; kind?: string }): boolean => keyOf(o) in REGIONAL;

/**
 * Every synced child of a regional kind (network, key, alias) of an environment in `region`: ACK recorded that region
 * for it, and moto has it there and in no other region of `aws` (which must cover every region of the suite).
 * Returns the problems (empty when none) and how many were found.
 */
export function regionReport(region: string, children: readonly Child[], aws: AwsSnapshot): { problems: string[]; found: number } {
  const problems: string[] = [];
  let found = 0;
  for (const c of children.filter((x) => isRegional(x) && isSynced(x))) {
    const what = `${c.kind}/${c.metadata?.name}`;
    const locate = REGIONAL[keyOf(c)]!;
    const id = locate.id(c);
    if (typeof id !== 'string' || id === '') {
      problems.push(`${what}: synced, but no AWS id recorded`);
      continue;
    }
    const recorded = c.status?.ackResourceMetadata?.region as string | undefined;
    if (recorded !== region) problems.push(`${what}: ACK recorded region ${recorded}, the environment's is ${region}`);
    const where = Object.entries(aws.regions).filter(([, r]) => locate.ids(r).includes(id)).map(([name]) => name);
    if (where.length !== 1 || where[0] !== region) problems.push(`${what} (${id}): in moto in ${where.join(', ') || 'no region'}, expected ${region} only`);
    else found++;
  }
  return { problems, found };
}
