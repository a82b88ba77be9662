import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION } from '../../../charts/bindings.js';
import { DELETION_POLICY_ANNOTATION } from '../../../charts/context.js';
import { Tables } from '../../../charts/constructs/tables.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { named, ofKind, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The serverless base (users: AWS-managed, one index; sessions: TTL; orders: provisioned, environment key), edited by `patch`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the Tables of `e`, wired as the chart wires them. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new Tables(chart, 'tables', { ctx, specs: e.spec.tables, kmsKeyName: 'shop-kms' });
  });
}

const table = (objects: LooseObject[], name: string) => named(objects, 'Table', `shop-table-${name}`);
type Gsi = { indexName: string; keySchema: unknown[]; projection: { projectionType: string; nonKeyAttributes?: string[] }; provisionedThroughput?: unknown };

describe('Tables of the serverless base', () => {
  const objects = render(env());

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders one Table per spec entry, named <project>-<name>-<suffix>, labelled tables, without late bindings', () => {
    expect(ofKind(objects, 'Table').map((t) => [t.metadata.name, t.spec.tableName])).toEqual([
      ['shop-table-users', 'shop-users-test'],
      ['shop-table-sessions', 'shop-sessions-test'],
      ['shop-table-orders', 'shop-orders-test'],
    ]);
    for (const t of objects) {
      expect(t.metadata.labels['app.kubernetes.io/component']).toBe('tables');
      expect(t.metadata.annotations).not.toHaveProperty(BINDINGS_ANNOTATION);
    }
  });

  it('defines every key attribute of the table and its indexes exactly once, with its type', () => {
    expect(table(objects, 'users').spec.attributeDefinitions).toEqual([
      { attributeName: 'userId', attributeType: 'S' },
      { attributeName: 'email', attributeType: 'S' },
    ]);
    expect(table(objects, 'sessions').spec.attributeDefinitions).toEqual([
      { attributeName: 'sessionId', attributeType: 'S' },
      { attributeName: 'userId', attributeType: 'S' },
      { attributeName: 'createdAt', attributeType: 'N' },
    ]);
    // createdAt is the table's sort key and the sort key of both indexes: one definition.
    expect(table(objects, 'orders').spec.attributeDefinitions).toEqual([
      { attributeName: 'orderId', attributeType: 'S' },
      { attributeName: 'createdAt', attributeType: 'N' },
      { attributeName: 'userId', attributeType: 'S' },
      { attributeName: 'partnerId', attributeType: 'S' },
    ]);
  });

  it('keys the tables and indexes HASH then RANGE', () => {
    expect(table(objects, 'users').spec.keySchema).toEqual([{ attributeName: 'userId', keyType: 'HASH' }]);
    expect(table(objects, 'orders').spec.keySchema).toEqual([
      { attributeName: 'orderId', keyType: 'HASH' },
      { attributeName: 'createdAt', keyType: 'RANGE' },
    ]);
    expect((table(objects, 'sessions').spec.globalSecondaryIndexes as Gsi[])[0]!.keySchema).toEqual([
      { attributeName: 'userId', keyType: 'HASH' },
      { attributeName: 'createdAt', keyType: 'RANGE' },
    ]);
  });

  it('renders the global secondary indexes with their projections, and capacity only on a PROVISIONED table', () => {
    const gsis = (name: string) => table(objects, name).spec.globalSecondaryIndexes as Gsi[];
    expect(Object.fromEntries(['users', 'sessions', 'orders'].map((n) => [n, gsis(n).length]))).toEqual({ users: 1, sessions: 1, orders: 2 });
    expect(gsis('users')[0]!.projection).toEqual({ projectionType: 'ALL' });
    expect(gsis('sessions')[0]!.projection).toEqual({ projectionType: 'KEYS_ONLY' });
    expect(gsis('orders').map((g) => [g.indexName, g.projection])).toEqual([
      ['user-index', { projectionType: 'INCLUDE', nonKeyAttributes: ['total'] }],
      ['partner-index', { projectionType: 'ALL' }],
    ]);
    const capacity = { readCapacityUnits: 5, writeCapacityUnits: 5 };
    expect(table(objects, 'orders').spec).toMatchObject({ billingMode: 'PROVISIONED', provisionedThroughput: capacity });
    for (const g of gsis('orders')) expect(g.provisionedThroughput).toEqual(capacity);
    for (const name of ['users', 'sessions']) {
      expect(table(objects, name).spec.billingMode).toBe('PAY_PER_REQUEST');
      expect(table(objects, name).spec).not.toHaveProperty('provisionedThroughput');
      for (const g of gsis(name)) expect(g).not.toHaveProperty('provisionedThroughput');
    }
  });

  it('enables TTL on the table that names an attribute, and on no other', () => {
    expect(table(objects, 'sessions').spec.timeToLive).toEqual({ attributeName: 'expiresAt', enabled: true });
    for (const name of ['users', 'orders']) expect(table(objects, name).spec).not.toHaveProperty('timeToLive');
  });

  it('always renders server-side encryption: AWS-owned as disabled, AWS-managed as KMS, the environment key by reference', () => {
    expect(table(objects, 'sessions').spec.sseSpecification).toEqual({ enabled: false });
    expect(table(objects, 'users').spec.sseSpecification).toEqual({ enabled: true, sseType: 'KMS' });
    expect(table(objects, 'orders').spec.sseSpecification).toEqual({ enabled: true, sseType: 'KMS', kmsMasterKeyRef: { from: { name: 'shop-kms' } } });
  });

  it('renders PITR, contributor insights (ENABLE/DISABLE) and deletion protection explicitly', () => {
    for (const t of ofKind(objects, 'Table')) {
      expect(t.spec.continuousBackups).toEqual({ pointInTimeRecoveryEnabled: true });
      expect(t.spec.deletionProtectionEnabled).toBe(false);
    }
    expect(ofKind(objects, 'Table').map((t) => t.spec.contributorInsights)).toEqual(['ENABLE', 'DISABLE', 'DISABLE']);
  });

  it('is data-bearing: retained under the default deletion policy', () => {
    for (const t of objects) expect(t.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('retain');
  });

  it('declares the outputs of each table at its index', () => {
    expect(JSON.parse(table(objects, 'sessions').metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([
      { output: '/tables/1/name', value: 'sessions' },
      { output: '/tables/1/tableName', value: 'shop-sessions-test' },
      { output: '/tables/1/arn', fieldPath: 'status.ackResourceMetadata.arn' },
    ]);
  });

  it('tags every table with the environment tags and its name', () => {
    expect(table(objects, 'users').spec.tags).toEqual(expect.arrayContaining([{ key: 'Name', value: 'shop-users-test' }, { key: 'Project', value: 'shop' }]));
  });
});

describe('Tables from other specs', () => {
  it('follows pointInTimeRecovery, deletionProtection and a Delete deletion policy', () => {
    const objects = render(
      env((m) => {
        m.spec.deletionPolicy = 'Delete';
        Object.assign(m.spec.tables[0], { pointInTimeRecovery: false, deletionProtection: true });
      }),
    );
    expect(table(objects, 'users').spec).toMatchObject({ continuousBackups: { pointInTimeRecoveryEnabled: false }, deletionProtectionEnabled: true });
    for (const t of objects) expect(t.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('delete');
  });

  it('renders nothing for no tables', () => {
    const e = env();
    expect(render({ ...e, spec: { ...e.spec, tables: [] } })).toEqual([]);
  });

  it('refuses PROVISIONED without capacity (a spec that bypassed the CRD rules)', () => {
    const e = env();
    const broken = { ...e, spec: { ...e.spec, tables: [{ ...e.spec.tables[2]!, provisioned: undefined }] } } as MarketplaceEnvironment;
    expect(() => render(broken)).toThrow('spec.tables[orders]: billingMode PROVISIONED needs provisioned');
  });
});
