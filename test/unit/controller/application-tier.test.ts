/**
 * The reconciler on the application tier, on the shared in-memory fake client and the in-memory AWS of the aws-gaps
 * suite: the web ACL association of the load balancer (an AWS action ACK lacks, controllers/aws-gaps/) as a status
 * component (Waiting, then Ready after one AssociateWebACL); AWS's refusals and throttling as our AWSActionFailed
 * reason with their retry decision; the association undone before what it names is deleted (the web ACL pruned when
 * the firewall leaves the spec, the load balancer when it does, the first deletion wave); no AWS call without a load
 * balancer; and an instances environment whose launch template and group wait for their sources.
 */
import { describe, expect, it } from '@jest/globals';
import { REASONS, type ComponentStatus } from '../../../api/index.js';
import { AWS_GAPS_ANNOTATION } from '../../../charts/aws-gaps.js';
import { AWS_GAP_REASONS } from '../../../controllers/aws-gaps/actions.js';
import { retryDecision } from '../../../controllers/runtime/errors.js';
import { markSynced } from '../../integration/helpers/ack-simulator.js';
import { awsError } from '../aws-gaps/fake-aws.js';
import { withInstances } from '../../fixtures/invalid-specs.js';
import { applicationManifest, ENV_REF, harness, NAME, NAMESPACE, untilReady, writes, type Harness, type Outcome } from './harness.js';

const ELBV2 = 'elbv2.services.k8s.aws/v1alpha1';
const WAFV2 = 'wafv2.services.k8s.aws/v1alpha1';
const LB = { apiVersion: ELBV2, kind: 'LoadBalancer', namespace: NAMESPACE, name: `${NAME}-alb` };
const ACL = { apiVersion: WAFV2, kind: 'WebACL', namespace: NAMESPACE, name: `${NAME}-waf` };
const ASSOCIATION = `${NAME}-alb-waf`;

/** The ARN the simulated ACK reported for `ref`. */
const arnOf = (h: Harness, ref: typeof LB) => (h.kube.object(ref) as { status?: { ackResourceMetadata?: { arn?: string } } } | undefined)?.status?.ackResourceMetadata?.arn;
/** The association's entry in status.components. */
const component = (h: Harness): ComponentStatus | undefined => h.env()?.status?.components?.find((c) => c.kind === 'WebACLAssociation');
const condition = (h: Harness, type: 'Ready' | 'Progressing' | 'Degraded') => h.condition(type)!;

/** One reconcile, then ACK plays every child it created: the next reconcile sees the load balancer and the web ACL synced. */
async function createAndSync(h: Harness): Promise<void> {
  expect((await h.reconcile()).error).toBeUndefined();
  await h.sync();
}

/** A merge patch's content without its deletions (nulls). */
const withoutNulls = (patch: unknown): unknown => JSON.parse(JSON.stringify(patch), (_key, value: unknown) => (value === null ? undefined : value));

/** The reconcile failed, but only after patching the status once with what it records. */
function statusWrittenBeforeThrow(h: Harness, outcome: Outcome): void {
  expect(outcome.error).toBeDefined();
  const patches = outcome.calls.filter((c) => c.verb === 'patchStatus');
  expect(patches).toHaveLength(1);
  expect(h.env()!.status).toEqual(withoutNulls((patches[0]!.body as { status: unknown }).status));
}

/** Marks every child held by an ACK-like finalizer, then deletes the environment. */
async function deleteHeld(h: Harness): Promise<void> {
  for (const c of h.live()) await h.kube.patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace: NAMESPACE, name: c.metadata.name }, { finalizers: ['test/ack-hold'] });
  await h.kube.delete(ENV_REF);
}

/** Records, at each delete call, the delete and the AWS operations made before it (one timeline of both). */
function timeline(h: Harness): string[] {
  const events: string[] = [];
  let seen = 0;
  h.kube.intercept('delete', (call) => {
    events.push(...h.aws.calls.slice(seen).map((c) => c.operation));
    seen = h.aws.calls.length;
    events.push(`delete ${call.ref.kind}/${call.ref.name}`);
  });
  return events;
}

describe('the web ACL association of the load balancer', () => {
  it('is Waiting, with no AWS call, until the load balancer and the web ACL are synced with their ARNs; then Ready after one AssociateWebACL', async () => {
    const h = harness({ manifest: applicationManifest() });
    await h.reconcile();
    expect(component(h)).toEqual({ component: 'loadBalancer', kind: 'WebACLAssociation', name: ASSOCIATION, state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: `waiting for LoadBalancer/${LB.name} status.ackResourceMetadata.arn, WebACL/${ACL.name} status.ackResourceMetadata.arn` });
    // The web ACL synced; the load balancer not created in AWS yet.
    await h.sync(['LoadBalancer']);
    await h.reconcile();
    expect(component(h)).toMatchObject({ state: 'Waiting', message: `waiting for LoadBalancer/${LB.name} status.ackResourceMetadata.arn` });
    // An ARN while AWS is still creating the load balancer (not synced) is not enough either.
    await h.kube.patchStatus(LB, { ackResourceMetadata: { arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/provisioning/1' }, conditions: [{ type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'provisioning' }] });
    await h.reconcile();
    expect(component(h)).toMatchObject({ state: 'Waiting' });
    expect(h.aws.calls).toEqual([]);

    await markSynced(h.kube, h.kube.object(LB)!);
    await h.reconcile();
    const [lbArn, aclArn] = [arnOf(h, LB)!, arnOf(h, ACL)!];
    expect(h.aws.calls.map((c) => [c.operation, ...c.args])).toEqual([['GetWebACLForResource', lbArn], ['AssociateWebACL', aclArn, lbArn]]);
    expect(h.aws.associations).toEqual(new Map([[lbArn, aclArn]]));
    expect(component(h)).toEqual({ component: 'loadBalancer', kind: 'WebACLAssociation', name: ASSOCIATION, state: 'Ready', message: `associated with web ACL ${aclArn}` });
    // The environment goes Ready with it, and later reconciles trust what AWS said: no further call.
    h.aws.take();
    await untilReady(h);
    await h.reconcile();
    expect(h.aws.take()).toEqual([]);
    expect(h.env()!.status!.summary).toMatch(/^(\d+)\/\1$/);
  });

  it('AccessDenied: Degraded with reason AWSActionFailed naming AWS\'s error, not retried, the status written before the throw', async () => {
    const h = harness({ manifest: applicationManifest() });
    h.aws.failures.set('AssociateWebACL', [awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/ack-controller is not authorized to perform: wafv2:AssociateWebACL')]);
    await createAndSync(h);
    const outcome = await h.reconcile();
    statusWrittenBeforeThrow(h, outcome);
    expect(retryDecision(outcome.error).kind).toBe('none');
    expect(h.env()!.status!.phase).toBe('Degraded');
    expect(condition(h, 'Degraded')).toMatchObject({ status: 'True', reason: REASONS.AWSActionFailed });
    expect(condition(h, 'Degraded').message).toContain('AssociateWebACL: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ack-controller is not authorized to perform: wafv2:AssociateWebACL');
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'False', reason: REASONS.AWSActionFailed });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.AWSActionFailed });
    expect(component(h)).toMatchObject({ state: 'Failed', reason: AWS_GAP_REASONS.rejected, message: expect.stringContaining('AccessDeniedException') });
    expect(h.aws.associations.size).toBe(0);
  });

  it('throttled: Progressing with reason AWSActionFailed, retried with backoff; the retry associates', async () => {
    const h = harness({ manifest: applicationManifest() });
    h.aws.failures.set('AssociateWebACL', [awsError('ThrottlingException', 'Rate exceeded')]);
    await createAndSync(h);
    const outcome = await h.reconcile();
    statusWrittenBeforeThrow(h, outcome);
    expect(retryDecision(outcome.error).kind).toBe('backoff');
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'True', reason: REASONS.AWSActionFailed, message: expect.stringMatching(/^retrying: .*AssociateWebACL: ThrottlingException: Rate exceeded/) });
    expect(condition(h, 'Degraded')).toMatchObject({ status: 'False', reason: REASONS.AsExpected });
    expect(h.env()!.status!.phase).toBe('Progressing');
    expect(component(h)).toMatchObject({ state: 'Progressing', reason: AWS_GAP_REASONS.retrying, message: expect.stringContaining('Rate exceeded') });

    const retry = await h.reconcile();
    expect(retry.error).toBeUndefined();
    expect(h.aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL', 'GetWebACLForResource', 'AssociateWebACL']);
    expect(component(h)).toMatchObject({ state: 'Ready' });
    expect(condition(h, 'Progressing').reason).not.toBe(REASONS.AWSActionFailed);
  });
});

describe('undone before what it names is deleted', () => {
  it('firewall removed from the spec: the association is removed before the web ACL is pruned', async () => {
    const h = harness({ manifest: applicationManifest() });
    await untilReady(h);
    const lbArn = arnOf(h, LB)!;
    expect(h.aws.associations.has(lbArn)).toBe(true);
    h.aws.take();
    await h.respec((spec) => delete spec.firewall);
    const events = timeline(h);
    const { error } = await h.reconcile();
    expect(error).toBeUndefined();
    expect(events).toEqual(['GetWebACLForResource', 'DisassociateWebACL', `delete WebACL/${ACL.name}`]);
    expect(h.aws.associations.size).toBe(0);
    expect(h.kube.object(ACL)).toBeUndefined();
    // The load balancer still declares its web ACL: none, as the spec says.
    expect(component(h)).toMatchObject({ state: 'Ready', message: 'no web ACL associated, as declared' });
  });

  it('load balancer removed from the spec: nothing is pruned while AWS refuses the disassociation; the retry disassociates, then prunes', async () => {
    const h = harness({ manifest: applicationManifest() });
    await untilReady(h);
    const lbArn = arnOf(h, LB)!;
    h.aws.take();
    await h.respec((spec) => {
      delete spec.loadBalancer;
      delete spec.compute.containers.blueGreen;
      spec.compute.containers.environment = spec.compute.containers.environment.filter((e: { fromOutput?: string }) => e.fromOutput !== 'loadBalancerDNSName');
    });
    h.aws.failures.set('DisassociateWebACL', [awsError('WAFInternalErrorException', 'AWS WAF couldn’t perform the operation because of a system problem')]);
    const refused = await h.reconcile();
    statusWrittenBeforeThrow(h, refused);
    expect(retryDecision(refused.error).kind).toBe('backoff');
    expect(h.aws.take()).toEqual(['GetWebACLForResource', 'DisassociateWebACL']);
    expect(refused.calls.filter((c) => c.verb === 'delete')).toEqual([]);
    expect(h.kube.object(LB)).toBeDefined();
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'True', reason: REASONS.AWSActionFailed, message: expect.stringContaining('DisassociateWebACL: WAFInternalErrorException') });

    const events = timeline(h);
    const retry = await h.reconcile();
    expect(retry.error).toBeUndefined();
    expect(events.slice(0, 3)).toEqual(['GetWebACLForResource', 'DisassociateWebACL', expect.stringMatching(/^delete /)]);
    expect(events).toContain(`delete LoadBalancer/${LB.name}`);
    expect(h.aws.associations.has(lbArn)).toBe(false);
    expect(h.kube.object(LB)).toBeUndefined();
    expect(component(h)).toBeUndefined();
    // Its outputs leave the status with it (a merge patch removes only what it names as null), and then nothing is written.
    expect(h.env()!.status!.outputs!.loadBalancer).toBeUndefined();
    await h.sync();
    await h.reconcile();
    expect(writes((await h.reconcile()).calls)).toEqual([]);
  });

  it('environment deleted: the association is removed before the first wave, once, and then every wave goes', async () => {
    const h = harness({ manifest: applicationManifest() });
    await untilReady(h);
    h.aws.take();
    await deleteHeld(h);
    const events = timeline(h);
    for (let pass = 0; pass < 30 && h.env(); pass++) {
      const { error } = await h.reconcile();
      expect(error).toBeUndefined();
      for (const c of h.live().filter((o) => o.metadata.deletionTimestamp)) await h.kube.patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace: NAMESPACE, name: c.metadata.name }, { finalizers: [] });
    }
    expect(h.env()).toBeUndefined();
    expect(events.slice(0, 3)).toEqual(['GetWebACLForResource', 'DisassociateWebACL', expect.stringMatching(/^delete ScalingPolicy\//)]);
    expect(events.filter((e) => !e.startsWith('delete '))).toEqual(['GetWebACLForResource', 'DisassociateWebACL']);
    expect(h.aws.associations.size).toBe(0);
  });

  it('environment deleted while AWS refuses the disassociation: AWSActionFailed, and no child deleted', async () => {
    const h = harness({ manifest: applicationManifest() });
    await untilReady(h);
    await deleteHeld(h);
    h.aws.failures.set('DisassociateWebACL', [awsError('AccessDeniedException', 'not authorized to perform: wafv2:DisassociateWebACL')]);
    const outcome = await h.reconcile();
    statusWrittenBeforeThrow(h, outcome);
    expect(outcome.calls.filter((c) => c.verb === 'delete')).toEqual([]);
    expect(condition(h, 'Ready')).toMatchObject({ reason: REASONS.AWSActionFailed, message: expect.stringContaining('DisassociateWebACL: AccessDeniedException') });
    expect(h.env()!.status!.phase).toBe('Deleting');
  });
});

describe('a spec without a load balancer', () => {
  it('declares no AWS action and makes no AWS call, from creation to deletion', async () => {
    const h = harness({
      manifest: applicationManifest((m) => {
        delete m.spec.loadBalancer;
        delete m.spec.compute.containers.blueGreen;
        m.spec.compute.containers.environment = m.spec.compute.containers.environment.filter((e: { fromOutput?: string }) => e.fromOutput !== 'loadBalancerDNSName');
      }),
    });
    expect(h.desired().some((o) => o.kind === 'LoadBalancer' || o.metadata.annotations?.[AWS_GAPS_ANNOTATION] !== undefined)).toBe(false);
    // A REGIONAL firewall without a load balancer: nothing to associate it with.
    expect(h.desired().some((o) => o.kind === 'WebACL')).toBe(true);
    await untilReady(h);
    expect(component(h)).toBeUndefined();
    await h.kube.delete(ENV_REF);
    for (let pass = 0; pass < 30 && h.env(); pass++) await h.reconcile();
    expect(h.env()).toBeUndefined();
    expect(h.aws.calls).toEqual([]);
    expect(h.aws.scaling.calls).toEqual([]);
  });
});

describe('instances behind the load balancer', () => {
  it('holds the launch template and the group back until their sources report, then goes Ready', async () => {
    const h = harness({ manifest: withInstances(applicationManifest()) });
    await h.reconcile();
    const kinds = () => new Set(h.live().map((c) => c.kind));
    expect(kinds().has('LaunchTemplate')).toBe(false);
    expect(kinds().has('AutoScalingGroup')).toBe(false);
    await untilReady(h);
    const object = (kind: string, suffix: string) => h.live().find((c) => c.kind === kind && c.metadata.name === `${NAME}-${suffix}`) as unknown as { spec: any; status: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const template = object('LaunchTemplate', 'launch-template');
    expect(template.spec.data.iamInstanceProfile.arn).toBe(object('InstanceProfile', 'instance-profile').status.ackResourceMetadata.arn);
    expect(template.spec.data.securityGroupIDs).toEqual([object('SecurityGroup', 'sg-app').status.id]);
    const group = object('AutoScalingGroup', 'asg');
    expect(group.spec.vpcZoneIdentifier).toBe([object('Subnet', 'subnet-private-a-0'), object('Subnet', 'subnet-private-b-0')].map((s) => s.status.subnetID).join(','));
    expect(group.spec.launchTemplate.launchTemplateName).toBe('shop-app-test');
    expect(h.env()!.status!.outputs!.compute).toMatchObject({ autoScalingGroupName: 'shop-asg-test' });
    expect(component(h)).toMatchObject({ state: 'Ready' });
  });
});
