/**
 * RdsProxyTargets through the aws-gaps executor against an in-memory RDS (no network): waiting for the proxy and the
 * database, registering the database once and only when it is missing, replacing another database, undo, and the
 * retry decision of RDS's errors.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AWS_GAPS_ANNOTATION } from '../../../charts/aws-gaps.js';
import { AWS_GAP_REASONS, AwsGapActions, DEFAULT_RECHECK_MS } from '../../../controllers/aws-gaps/actions.js';
import { declarationsOf } from '../../../controllers/aws-gaps/declarations.js';
import { retryDecision } from '../../../controllers/runtime/errors.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import { FakeWafv2, awsError } from './fake-aws.js';
import { DB_CLUSTER_ID, DB_INSTANCE_ID, PROXY_NAME, database, dbProxy, proxyTargets } from './fake-identity.js';

let aws: FakeWafv2;
let clock: number;
let actions: AwsGapActions;

beforeEach(() => {
  aws = new FakeWafv2();
  aws.dbProxies.targets.set(PROXY_NAME, []);
  aws.dbProxies.clusterMembers.set(DB_CLUSTER_ID, [`${DB_CLUSTER_ID}-1`, `${DB_CLUSTER_ID}-2`]);
  clock = 1_000_000;
  actions = new AwsGapActions({ clients: aws, logger: silentLogger(), now: () => clock });
});

const proxy = (gaps = [proxyTargets()]) => dbProxy({ arn: true, synced: true, gaps });
/** Reconciles the proxy declaring `gaps` (default: the Aurora cluster), live and synced with the `kind` database. */
const reconcile = (gaps = [proxyTargets()], kind: 'cluster' | 'instance' = 'cluster') => actions.reconcile([dbProxy({ gaps })], [proxy(gaps), database(kind)]);
const targets = () => aws.dbProxies.targets.get(PROXY_NAME);
const CLUSTER_TARGETS = [
  { type: 'TRACKED_CLUSTER', rdsResourceId: DB_CLUSTER_ID, trackedClusterId: DB_CLUSTER_ID },
  { type: 'RDS_INSTANCE', rdsResourceId: `${DB_CLUSTER_ID}-1`, trackedClusterId: DB_CLUSTER_ID },
  { type: 'RDS_INSTANCE', rdsResourceId: `${DB_CLUSTER_ID}-2`, trackedClusterId: DB_CLUSTER_ID },
];

describe('RdsProxyTargets: ensure', () => {
  it.each([
    ['the proxy is not created yet', [database()], 'DBProxy/shop-db-proxy status.ackResourceMetadata.arn'],
    ['the proxy is not synced yet (AWS is still creating it)', [dbProxy({ arn: true, synced: false }), database()], 'DBProxy/shop-db-proxy status.ackResourceMetadata.arn'],
    ['the database is not synced yet', [proxy(), database('cluster', false)], 'DBCluster/shop-db status.ackResourceMetadata.arn'],
  ])('waits, calling nothing, while %s', async (_what, live, waitedFor) => {
    const report = await actions.reconcile([dbProxy()], live);
    expect(report).toEqual({
      components: [{ component: 'database', kind: 'RdsProxyTargets', name: 'shop-db-proxy-targets', state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: `waiting for ${waitedFor}` }],
      outputs: [],
    });
    expect(aws.dbProxies.calls).toEqual([]);
  });

  it('registers the Aurora cluster once both are synced, in the region of the proxy, then trusts that state', async () => {
    const report = await reconcile();
    expect(aws.dbProxies.calls).toEqual([
      { operation: 'DescribeDBProxyTargets', region: 'eu-west-1', args: [PROXY_NAME] },
      { operation: 'RegisterDBProxyTargets', region: 'eu-west-1', args: [PROXY_NAME, { kind: 'cluster', identifier: DB_CLUSTER_ID }] },
    ]);
    expect(targets()).toEqual(CLUSTER_TARGETS);
    expect(report).toEqual({
      components: [{ component: 'database', kind: 'RdsProxyTargets', name: 'shop-db-proxy-targets', state: 'Ready', message: `DB cluster ${DB_CLUSTER_ID} is the target of proxy ${PROXY_NAME}` }],
      outputs: [],
    });
    aws.dbProxies.take();
    clock += DEFAULT_RECHECK_MS - 1;
    expect(await reconcile()).toEqual(report);
    expect(aws.dbProxies.take()).toEqual([]);
  });

  it('is idempotent when the cluster is registered (its member instances listed too): one read, no write, in another process as well', async () => {
    await reconcile();
    aws.dbProxies.take();
    clock += DEFAULT_RECHECK_MS;
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(aws.dbProxies.take()).toEqual(['DescribeDBProxyTargets']);
    await new AwsGapActions({ clients: aws, logger: silentLogger() }).reconcile([dbProxy()], [proxy(), database()]);
    expect(aws.dbProxies.take()).toEqual(['DescribeDBProxyTargets']);
    expect(targets()).toEqual(CLUSTER_TARGETS);
  });

  it('registers a DB instance (engines other than Aurora)', async () => {
    const report = await reconcile([proxyTargets('instance')], 'instance');
    expect(aws.dbProxies.calls.map((c) => [c.operation, ...c.args])).toEqual([
      ['DescribeDBProxyTargets', PROXY_NAME],
      ['RegisterDBProxyTargets', PROXY_NAME, { kind: 'instance', identifier: DB_INSTANCE_ID }],
    ]);
    expect(targets()).toEqual([{ type: 'RDS_INSTANCE', rdsResourceId: DB_INSTANCE_ID }]);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: `DB instance ${DB_INSTANCE_ID} is the target of proxy ${PROXY_NAME}` });
  });

  it('replaces another database at once (the target group holds one): deregisters it, then registers the declared one', async () => {
    aws.dbProxies.targets.set(PROXY_NAME, [{ type: 'RDS_INSTANCE', rdsResourceId: 'old-db' }]);
    const report = await reconcile();
    expect(aws.dbProxies.calls.map((c) => [c.operation, ...c.args.slice(1)])).toEqual([
      ['DescribeDBProxyTargets'],
      ['DeregisterDBProxyTargets', { kind: 'instance', identifier: 'old-db' }],
      ['RegisterDBProxyTargets', { kind: 'cluster', identifier: DB_CLUSTER_ID }],
    ]);
    expect(targets()).toEqual(CLUSTER_TARGETS);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: `DB cluster ${DB_CLUSTER_ID} is the target of proxy ${PROXY_NAME} (replacing DB instance old-db)` });
  });

  it('corrects a target deregistered outside the operator after the recheck period', async () => {
    await reconcile();
    aws.dbProxies.targets.set(PROXY_NAME, []);
    aws.dbProxies.take();
    clock += DEFAULT_RECHECK_MS;
    await reconcile();
    expect(aws.dbProxies.take()).toEqual(['DescribeDBProxyTargets', 'RegisterDBProxyTargets']);
    expect(targets()).toEqual(CLUSTER_TARGETS);
  });

  it.each([
    ['InvalidDBProxyStateFault', 'The specified DB proxy is in an invalid state: creating'],
    ['DBClusterNotFoundFault', `DBCluster ${DB_CLUSTER_ID} not found.`],
    ['Throttling', 'Rate exceeded'],
  ])('reports %s as Progressing with AWS\'s message, asks for a retry with backoff, and succeeds on the retry', async (code, message) => {
    aws.dbProxies.failures.set('RegisterDBProxyTargets', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toMatchObject({ state: 'Progressing', reason: AWS_GAP_REASONS.retrying, message: `RegisterDBProxyTargets: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    aws.dbProxies.take();
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(aws.dbProxies.take()).toEqual(['DescribeDBProxyTargets', 'RegisterDBProxyTargets']);
  });

  it.each([
    ['AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/operator/x is not authorized to perform: rds:RegisterDBProxyTargets'],
    ['InvalidParameterValue', 'The engine family of the proxy does not match the engine of the database.'],
  ])('reports %s as a Failed component with AWS\'s message, and a terminal error', async (code, message) => {
    aws.dbProxies.failures.set('RegisterDBProxyTargets', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toEqual({ component: 'database', kind: 'RdsProxyTargets', name: 'shop-db-proxy-targets', state: 'Failed', reason: AWS_GAP_REASONS.rejected, message: `RegisterDBProxyTargets: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
    expect(targets()).toEqual([]);
  });
});

describe('RdsProxyTargets: undo', () => {
  it('deregisters the database of a proxy about to be deleted, in its region', async () => {
    await reconcile();
    aws.dbProxies.take();
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
    expect(aws.dbProxies.calls).toEqual([
      { operation: 'DescribeDBProxyTargets', region: 'eu-west-1', args: [PROXY_NAME] },
      { operation: 'DeregisterDBProxyTargets', region: 'eu-west-1', args: [PROXY_NAME, { kind: 'cluster', identifier: DB_CLUSTER_ID }] },
    ]);
    expect(targets()).toEqual([]);
  });

  it('is a no-op (one read) when the database is not registered, and trusts that on the next pass', async () => {
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
    expect(aws.dbProxies.take()).toEqual(['DescribeDBProxyTargets']);
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
    expect(aws.dbProxies.take()).toEqual([]);
  });

  it('leaves a database of another identifier alone (not the declaration\'s)', async () => {
    aws.dbProxies.targets.set(PROXY_NAME, [{ type: 'RDS_INSTANCE', rdsResourceId: 'someone-else' }]);
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
    expect(targets()).toEqual([{ type: 'RDS_INSTANCE', rdsResourceId: 'someone-else' }]);
  });

  it.each([
    ['a proxy AWS no longer knows (DBProxyNotFoundFault)', 'DescribeDBProxyTargets' as const, 'DBProxyNotFoundFault'],
    ['a target gone meanwhile (DBProxyTargetNotFoundFault)', 'DeregisterDBProxyTargets' as const, 'DBProxyTargetNotFoundFault'],
  ])('counts %s as done', async (_what, operation, code) => {
    await reconcile();
    aws.dbProxies.failures.set(operation, [awsError(code, 'not found')]);
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
  });

  it('has nothing to undo for a proxy that never got an ARN', async () => {
    expect(await actions.undo([dbProxy({ synced: false })])).toEqual({ pending: 0 });
    expect(aws.dbProxies.calls).toEqual([]);
  });

  it('reports a throttled deregistration as pending with a retry, and a refused one as terminal', async () => {
    await reconcile();
    aws.dbProxies.failures.set('DeregisterDBProxyTargets', [awsError('Throttling', 'Rate exceeded'), awsError('AccessDenied', 'not authorized to perform: rds:DeregisterDBProxyTargets')]);
    const throttled = await actions.undo([proxy()]);
    expect(throttled.pending).toBe(1);
    expect(throttled.error!.message).toContain('DeregisterDBProxyTargets: Throttling: Rate exceeded');
    expect(retryDecision(throttled.error)).toEqual({ kind: 'backoff' });
    const denied = await actions.undo([proxy()]);
    expect(retryDecision(denied.error)).toEqual({ kind: 'none' });
    expect(await actions.undo([proxy()])).toEqual({ pending: 0 });
    expect(targets()).toEqual([]);
  });
});

describe('the RdsProxyTargets declaration', () => {
  const annotated = (gap: unknown) => ({ metadata: { name: 'x', annotations: { [AWS_GAPS_ANNOTATION]: JSON.stringify([gap]) } } });

  it('reads back what the charts declare, for a cluster and for an instance', () => {
    expect(declarationsOf(dbProxy({ gaps: [proxyTargets(), proxyTargets('instance')] }))).toEqual({ gaps: [proxyTargets(), proxyTargets('instance')] });
  });

  it.each([
    ['a proxy ARN that is not a late value', { proxyARN: 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-1' }, '[0].proxyARN must be {from: {apiVersion, kind, name}, fieldPath}'],
    ['no proxy name', { proxyName: '' }, '[0].proxyName must be a non-empty string'],
    ['no database ARN', { databaseARN: undefined }, '[0].databaseARN must be {from: {apiVersion, kind, name}, fieldPath}'],
    ['both a cluster and an instance', { dbInstanceIdentifier: DB_INSTANCE_ID }, '[0] must set exactly one of dbClusterIdentifier and dbInstanceIdentifier'],
    ['neither a cluster nor an instance', { dbClusterIdentifier: undefined }, '[0] must set exactly one of dbClusterIdentifier and dbInstanceIdentifier'],
  ])('rejects %s, naming the field', (_what, change, problem) => {
    const { gaps, invalid } = declarationsOf(annotated({ ...proxyTargets(), ...change }));
    expect(gaps).toEqual([]);
    expect(invalid).toContain(problem);
  });
});
