/**
 * The application tier of one environment as moto's own API shows it (`localcluster/moto/inventory.py --details`):
 * every load balancer, listener, target group, repository, IAM role, policy and instance profile and launch template
 * the environment renders is there exactly once with the facts its spec asks for when it is expected Ready
 * (helpers/expectations.ts), and absent when it is expected to wait (held back, or its ACK references unresolved).
 * Listeners have no name: a load balancer's listeners in moto must be exactly its Ready listeners. Pure.
 */
import type { RenderedObject } from '../../../charts/render.js';
import type { AwsDetails } from './aws.js';
import { awsIdOf } from './aws.js';
import type { Child } from './children.js';
import { ackRefs, type Expected } from './expectations.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `<service> <Kind>` keys of inventory.py that the application tier renders and a controller here serves. */
export const APP_TIER_KEYS = ['elbv2 LoadBalancer', 'elbv2 TargetGroup', 'elbv2 Listener', 'elbv2 Rule', 'iam Role', 'iam Policy', 'iam InstanceProfile', 'ecr Repository', 'ec2 LaunchTemplate'];

/** Kinds inventory.py keys by their name; the others are keyed by ARN or id and carry a `name` fact. */
const KEYED_BY_NAME = new Set(['iam Role', 'iam InstanceProfile', 'ecr Repository']);

const keyOf = (o: { apiVersion?: string; kind?: string }) => `${o.apiVersion?.split('.')[0]} ${o.kind}`;
const specOf = (o: RenderedObject): Spec => (o as { spec?: Spec }).spec ?? {};

/** What one environment's application tier looks like in moto. */
export interface AppTierReport {
  /** Differences from what the spec and the expected states ask for (empty when none). */
  problems: string[];
  /** One line per resource found, for the results page. */
  found: string[];
  /** `Kind/name` of the children expected to wait, and absent from moto. */
  absent: string[];
}

/** Principals (`ecs-tasks.amazonaws.com`) of a trust policy document. */
function principals(document: string | undefined): string[] {
  const statements = (JSON.parse(document ?? '{}') as { Statement?: { Principal?: { Service?: string | string[] } }[] }).Statement ?? [];
  return statements.flatMap((s) => [s.Principal?.Service ?? []].flat()).sort();
}

/** The facts inventory.py reports for `o` that its rendered spec determines. */
function factsOf(o: RenderedObject, rendered: readonly RenderedObject[], ready: (o: RenderedObject) => boolean): Record<string, unknown> {
  const spec = specOf(o);
  const named = (name: string) => rendered.find((r) => r.metadata.name === name);
  const listenersOf = (lb: string) => rendered.filter((r) => r.kind === 'Listener' && ready(r) && specOf(r).loadBalancerRef?.from?.name === lb);
  switch (o.kind) {
    case 'LoadBalancer':
      return {
        name: spec.name,
        scheme: spec.scheme,
        type: 'application',
        state: 'active',
        availabilityZones: spec.subnetRefs?.length,
        securityGroups: spec.securityGroupRefs?.length,
        listeners: listenersOf(o.metadata.name).map((l) => `${specOf(l).protocol}:${specOf(l).port}`).sort(),
      };
    case 'TargetGroup':
      return { name: spec.name, protocol: spec.protocol, port: spec.port, targetType: spec.targetType, healthCheckPath: spec.healthCheckPath, matcher: spec.matcher?.httpCode };
    case 'Listener': {
      const actions = (spec.defaultActions as Spec[]).map((a) =>
        a.type === 'redirect' ? { type: 'redirect', redirect: `${a.redirectConfig.protocol}:${a.redirectConfig.port} ${a.redirectConfig.statusCode}` } : { type: a.type },
      );
      return { loadBalancer: specOf(named(spec.loadBalancerRef.from.name)!).name, protocol: spec.protocol, port: spec.port, defaultActions: actions };
    }
    case 'Repository': {
      const rules = (JSON.parse(spec.lifecyclePolicy ?? '{"rules":[]}') as { rules: { selection: Spec; action: Spec }[] }).rules;
      return {
        scanOnPush: spec.imageScanningConfiguration?.scanOnPush,
        imageTagMutability: spec.imageTagMutability,
        encryptionType: spec.encryptionConfiguration?.encryptionType,
        lifecycleRules: rules.map((r) => `${r.selection.tagStatus} ${r.selection.countType} ${r.selection.countNumber} ${r.action.type}`),
      };
    }
    case 'Role': {
      const attached = [...ackRefs({ policyRefs: spec.policyRefs }).map((n) => specOf(named(n)!).name), ...((spec.policies ?? []) as string[]).map((arn) => arn.split('/').pop())];
      return { assumedBy: principals(spec.assumeRolePolicyDocument), attachedPolicies: attached.sort(), inlinePolicies: Object.keys(spec.inlinePolicies ?? {}).sort() };
    }
    case 'Policy':
      return { name: spec.name, attachmentCount: rendered.filter((r) => r.kind === 'Role' && ready(r) && ackRefs({ policyRefs: specOf(r).policyRefs }).includes(o.metadata.name)).length };
    case 'InstanceProfile':
      return { roles: [specOf(named(spec.roleRef.from.name)!).name] };
    case 'LaunchTemplate':
      return { name: spec.name, instanceType: spec.data?.instanceType, imageID: spec.data?.imageID, httpTokens: spec.data?.metadataOptions?.httpTokens, userData: Boolean(spec.data?.userData) };
    default:
      return {};
  }
}

/** See the module comment. `children`: the live children (ACK's ids); `expected`: their expected settled states. */
export function appTierReport(rendered: readonly RenderedObject[], children: readonly Child[], expected: readonly Expected[], details: AwsDetails): AppTierReport {
  const report: AppTierReport = { problems: [], found: [], absent: [] };
  const state = new Map(expected.map((e) => [`${e.kind}/${e.name}`, e.state]));
  const ready = (o: RenderedObject) => state.get(`${o.kind}/${o.metadata.name}`) === 'Ready';
  for (const o of rendered.filter((r) => APP_TIER_KEYS.includes(keyOf(r)))) {
    const key = keyOf(o);
    const what = `${o.kind}/${o.metadata.name}`;
    const inMoto = Object.entries(details[key] ?? {});
    const name = specOf(o).name as string | undefined;
    // By the name AWS knows it by; a listener (no name) by the ARN ACK recorded.
    const byName = (id: string, facts: Record<string, unknown>) => (KEYED_BY_NAME.has(key) ? id === name : facts.name === name);
    if (!ready(o)) {
      if (name !== undefined && inMoto.some(([id, facts]) => byName(id, facts))) report.problems.push(`${what}: expected to wait (${state.get(what)}), but ${name} exists in moto`);
      else report.absent.push(what);
      continue;
    }
    const live = children.find((c) => c.kind === o.kind && c.metadata?.name === o.metadata.name);
    const aws = live && awsIdOf(live);
    const matching = inMoto.filter(([id, facts]) => (name !== undefined ? byName(id, facts) : aws?.matches(id)));
    if (matching.length !== 1) {
      report.problems.push(`${what}: ${matching.length} resources in moto named ${name ?? aws?.id ?? '(no ARN recorded)'}, expected 1`);
      continue;
    }
    const [id, facts] = matching[0]!;
    if (aws && !aws.matches(id)) report.problems.push(`${what}: ACK recorded ${aws.id}, moto has ${id}`);
    const want = factsOf(o, rendered, ready);
    for (const [fact, value] of Object.entries(want)) {
      if (JSON.stringify(facts[fact]) !== JSON.stringify(value)) report.problems.push(`${what}: ${fact} is ${JSON.stringify(facts[fact])} in moto, expected ${JSON.stringify(value)}`);
    }
    const shown = o.kind === 'LoadBalancer' ? `${name} (listeners: ${(facts.listeners as string[]).join(', ') || 'none'})` : (name ?? `${facts.protocol}:${facts.port}`);
    report.found.push(`${o.kind} ${shown}`);
  }
  return report;
}
