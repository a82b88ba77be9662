/**
 * The aws-gaps executor against an in-memory WAFv2 (no network): waiting for late values, ensuring the web ACL of a
 * load balancer with as few calls as possible, the retry decision of AWS's errors, and undo.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import { AWS_GAPS_ANNOTATION } from '../../../charts/aws-gaps.js';
import { AWS_GAP_REASONS, AwsGapActions, DEFAULT_RECHECK_MS } from '../../../controllers/aws-gaps/actions.js';
import { retryDecision } from '../../../controllers/runtime/errors.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import { ACL_ARN, FakeWafv2, LB_ARN, OTHER_ACL_ARN, association, awsError, loadBalancer, syncedChildren, webAcl } from './fake-aws.js';

let aws: FakeWafv2;
let clock: number;
let actions: AwsGapActions;

beforeEach(() => {
  aws = new FakeWafv2();
  clock = 1_000_000;
  actions = new AwsGapActions({ clients: aws, logger: silentLogger(), now: () => clock });
});

/** Reconciles the load balancer's declarations with `live` as the live children. */
const reconcile = (live = syncedChildren()) => actions.reconcile([loadBalancer()], live);

describe('AwsGapActions.reconcile', () => {
  it.each([
    ['the web ACL has no ARN yet', [loadBalancer({ arn: LB_ARN, synced: true }), webAcl({ synced: false })], 'WebACL/shop-waf status.ackResourceMetadata.arn'],
    ['the web ACL is not synced yet', [loadBalancer({ arn: LB_ARN, synced: true }), webAcl({ arn: ACL_ARN, synced: false })], 'WebACL/shop-waf status.ackResourceMetadata.arn'],
    ['the load balancer is not created yet', [webAcl({ arn: ACL_ARN, synced: true })], 'LoadBalancer/shop-alb status.ackResourceMetadata.arn'],
  ])('waits, calling nothing, while %s', async (_what, live, waitedFor) => {
    const report = await reconcile(live);
    expect(report.components).toEqual([
      { component: 'loadBalancer', kind: 'WebACLAssociation', name: 'shop-alb-waf', state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: `waiting for ${waitedFor}` },
    ]);
    expect(report.error).toBeUndefined();
    expect(aws.calls).toEqual([]);
  });

  it('associates once both are synced, in the region of the annotated child, then trusts that state', async () => {
    const report = await reconcile();
    expect(aws.calls).toEqual([
      { operation: 'GetWebACLForResource', region: 'eu-west-1', args: [LB_ARN] },
      { operation: 'AssociateWebACL', region: 'eu-west-1', args: [ACL_ARN, LB_ARN] },
    ]);
    expect(aws.associations.get(LB_ARN)).toBe(ACL_ARN);
    expect(report).toEqual({ components: [{ component: 'loadBalancer', kind: 'WebACLAssociation', name: 'shop-alb-waf', state: 'Ready', message: `associated with web ACL ${ACL_ARN}` }], outputs: [] });
    aws.take();
    // Later reconciles (child events, polls) within the recheck period: the same component, no AWS call.
    clock += DEFAULT_RECHECK_MS - 1;
    expect(await reconcile()).toEqual(report);
    expect(aws.take()).toEqual([]);
  });

  it('is idempotent when the load balancer already has the web ACL: one read, no write', async () => {
    aws.associations.set(LB_ARN, ACL_ARN);
    const report = await reconcile();
    expect(aws.take()).toEqual(['GetWebACLForResource']);
    expect(report.components[0]).toMatchObject({ state: 'Ready' });
  });

  it('re-associates a load balancer associated with another web ACL (AssociateWebACL replaces it)', async () => {
    aws.associations.set(LB_ARN, OTHER_ACL_ARN);
    await reconcile();
    expect(aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
    expect(aws.associations.get(LB_ARN)).toBe(ACL_ARN);
  });

  it('reads AWS again after the recheck period and corrects a change made outside the operator', async () => {
    await reconcile();
    aws.associations.set(LB_ARN, OTHER_ACL_ARN);
    aws.take();
    clock += DEFAULT_RECHECK_MS;
    await reconcile();
    expect(aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
    expect(aws.associations.get(LB_ARN)).toBe(ACL_ARN);
  });

  it('acts again at once when a late value changes (a new web ACL ARN)', async () => {
    await reconcile();
    aws.take();
    const replaced = [loadBalancer({ arn: LB_ARN, synced: true }), webAcl({ arn: OTHER_ACL_ARN, synced: true })];
    await reconcile(replaced);
    expect(aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
    expect(aws.associations.get(LB_ARN)).toBe(OTHER_ACL_ARN);
  });

  it('removes the web ACL when the declaration names none (the firewall left the spec)', async () => {
    aws.associations.set(LB_ARN, ACL_ARN);
    const report = await actions.reconcile([loadBalancer({ gaps: [association(false)] })], [loadBalancer({ arn: LB_ARN, synced: true })]);
    expect(aws.take()).toEqual(['GetWebACLForResource', 'DisassociateWebACL']);
    expect(aws.associations.has(LB_ARN)).toBe(false);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: 'no web ACL associated, as declared' });
  });

  it('reports throttling as Progressing with AWS\'s message, and asks for a retry with backoff', async () => {
    aws.failures.set('AssociateWebACL', [awsError('ThrottlingException', 'Rate exceeded')]);
    const report = await reconcile();
    expect(report.components[0]).toMatchObject({ state: 'Progressing', reason: AWS_GAP_REASONS.retrying, message: 'AssociateWebACL: ThrottlingException: Rate exceeded' });
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    // Nothing was remembered: the retry calls AWS again, and succeeds.
    aws.take();
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
  });

  it('reports AccessDenied as a Failed component with AWS\'s message, and a terminal error', async () => {
    const denied = 'User: arn:aws:sts::123456789012:assumed-role/operator/x is not authorized to perform: wafv2:AssociateWebACL';
    aws.failures.set('AssociateWebACL', [awsError('AccessDeniedException', denied)]);
    const report = await reconcile();
    expect(report.components[0]).toEqual({ component: 'loadBalancer', kind: 'WebACLAssociation', name: 'shop-alb-waf', state: 'Failed', reason: AWS_GAP_REASONS.rejected, message: `AssociateWebACL: AccessDeniedException: ${denied}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
    expect(report.error!.message).toContain(denied);
  });

  it('retries with backoff when one declaration is rejected and another may succeed on a retry', async () => {
    const second = { ...association(), name: 'other-alb-waf', resourceARN: { ...association().resourceARN, from: { ...association().resourceARN.from, name: 'other-alb' } } };
    const other = loadBalancer({ arn: `${LB_ARN}0`, synced: true });
    const otherLive = { ...other, metadata: { ...other.metadata, name: 'other-alb' } };
    aws.failures.set('GetWebACLForResource', [awsError('AccessDeniedException', 'denied'), awsError('WAFInternalErrorException', 'try again')]);
    const report = await actions.reconcile([loadBalancer({ gaps: [association(), second] })], [...syncedChildren(), otherLive]);
    expect(report.components.map((c) => c.state)).toEqual(['Failed', 'Progressing']);
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
  });

  it('reports an unreadable annotation as a Failed component naming it', async () => {
    const broken = loadBalancer({ annotations: { [AWS_GAPS_ANNOTATION]: '[{"type":"Teleport","name":"x"}]' } });
    const report = await actions.reconcile([broken], syncedChildren());
    expect(report.components[0]).toMatchObject({ state: 'Failed', reason: AWS_GAP_REASONS.invalid, message: expect.stringContaining('[0].type "Teleport" is not one of WebACLAssociation') });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
    expect(aws.calls).toEqual([]);
  });

  it('leaves the region to the SDK default when the child has no region annotation', async () => {
    const lb = loadBalancer();
    const { [REGION_ANNOTATION]: _region, ...annotations } = lb.metadata!.annotations!;
    await actions.reconcile([{ ...lb, metadata: { ...lb.metadata, annotations } }], syncedChildren());
    expect(aws.calls.map((c) => c.region)).toEqual([undefined, undefined]);
  });

  it('declares nothing, and calls nothing, for children without the annotation', async () => {
    expect(await actions.reconcile([webAcl()], syncedChildren())).toEqual({ components: [], outputs: [] });
    expect(aws.calls).toEqual([]);
  });
});

describe('AwsGapActions.undo', () => {
  it('disassociates the web ACL of a load balancer about to be deleted, in its region', async () => {
    aws.associations.set(LB_ARN, ACL_ARN);
    const report = await actions.undo(syncedChildren());
    expect(report).toEqual({ pending: 0 });
    expect(aws.calls).toEqual([
      { operation: 'GetWebACLForResource', region: 'eu-west-1', args: [LB_ARN] },
      { operation: 'DisassociateWebACL', region: 'eu-west-1', args: [LB_ARN] },
    ]);
    expect(aws.associations.has(LB_ARN)).toBe(false);
  });

  it('is a no-op (one read, no write) when nothing is associated, and trusts that on the next deletion pass', async () => {
    expect(await actions.undo(syncedChildren())).toEqual({ pending: 0 });
    expect(aws.take()).toEqual(['GetWebACLForResource']);
    expect(await actions.undo(syncedChildren())).toEqual({ pending: 0 });
    expect(aws.take()).toEqual([]);
  });

  it('counts a load balancer AWS no longer knows as done', async () => {
    aws.existing = new Set();
    expect(await actions.undo(syncedChildren())).toEqual({ pending: 0 });
    expect(aws.take()).toEqual(['GetWebACLForResource']);
  });

  it('has nothing to undo for a load balancer that never got an ARN', async () => {
    expect(await actions.undo([loadBalancer({ synced: false })])).toEqual({ pending: 0 });
    expect(aws.calls).toEqual([]);
  });

  it('undoes for a child not synced any more (being deleted): only the ARN matters', async () => {
    aws.associations.set(LB_ARN, ACL_ARN);
    expect(await actions.undo([loadBalancer({ arn: LB_ARN, synced: false })])).toEqual({ pending: 0 });
    expect(aws.associations.has(LB_ARN)).toBe(false);
  });

  it('reports a failed disassociation as pending, with its retry decision, and tries again next time', async () => {
    aws.associations.set(LB_ARN, ACL_ARN);
    aws.failures.set('DisassociateWebACL', [awsError('ThrottlingException', 'Rate exceeded')]);
    const report = await actions.undo(syncedChildren());
    expect(report.pending).toBe(1);
    expect(report.error!.message).toContain('DisassociateWebACL: ThrottlingException: Rate exceeded');
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    expect(await actions.undo(syncedChildren())).toEqual({ pending: 0 });
    expect(aws.associations.has(LB_ARN)).toBe(false);
  });

  it('ensures again after an undo (a deleted environment of the same name comes back)', async () => {
    await actions.undo(syncedChildren());
    aws.take();
    await reconcile();
    expect(aws.take()).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
  });

  it('skips a child whose annotation was edited into something unreadable, rather than block the deletion', async () => {
    const broken = loadBalancer({ arn: LB_ARN, annotations: { [AWS_GAPS_ANNOTATION]: 'not json' } });
    expect(await actions.undo([broken])).toEqual({ pending: 0 });
    expect(aws.calls).toEqual([]);
  });
});
