import {
  buildCrd,
  ENVIRONMENT_OUTPUTS,
  FUNCTION_ENVIRONMENT_OUTPUTS,
  LAMBDA_RUNTIMES,
  TABLE_ENCRYPTIONS,
  validateEnvironment,
} from '../../../api/index.js';
import { INVALID_CASES, invalidManifest, validBase, validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { fieldsOf } from '../helpers/spec-fields.js';

/** The serverless base after `change`. */
function serverless(change: (m: Manifest) => void): Manifest {
  const m = validServerlessBase();
  change(m);
  return m;
}

describe('serverless tier: defaults', () => {
  it('leaves the serverless sections out of an environment that does not name them', () => {
    const spec = validateEnvironment(validBase()).spec;
    expect([spec.tables, spec.layers, spec.functions]).toEqual([[], [], []]);
    expect([spec.api, spec.logGroup, spec.network.endpoints]).toEqual([undefined, undefined, undefined]);
    expect(spec.encryption.alias).toBe(false);
  });

  it('defaults a bare table: on demand, PITR, AWS-owned encryption, no insights, no deletion protection', () => {
    const m = serverless((x) => { x.spec.tables = [{ name: 'users', partitionKey: { name: 'id', type: 'S' } }]; x.spec.functions = []; delete x.spec.api; });
    expect(validateEnvironment(m).spec.tables).toEqual([
      {
        name: 'users',
        partitionKey: { name: 'id', type: 'S' },
        globalSecondaryIndexes: [],
        billingMode: 'PAY_PER_REQUEST',
        pointInTimeRecovery: true,
        encryption: 'AWSOwned',
        contributorInsights: false,
        deletionProtection: false,
      },
    ]);
  });

  it('defaults an index to projection ALL without non-key attributes', () => {
    expect(validateEnvironment(validServerlessBase()).spec.tables[0]!.globalSecondaryIndexes).toEqual([
      { name: 'email-index', partitionKey: { name: 'email', type: 'S' }, projection: 'ALL', nonKeyAttributes: [] },
    ]);
  });

  it('defaults a bare function: 128 MB, 3 s, x86_64, no layers, variables or access, logs kept a week, outside the VPC', () => {
    const m = serverless((x) => { x.spec.functions[0] = { name: 'users', runtime: 'python3.12', handler: 'app.handler', code: { s3: { bucket: 'assets', key: 'users.zip' } } }; });
    expect(validateEnvironment(m).spec.functions[0]).toEqual({
      name: 'users',
      runtime: 'python3.12',
      handler: 'app.handler',
      code: { s3: { bucket: 'assets', key: 'users.zip' } },
      memoryMB: 128,
      timeoutSeconds: 3,
      architecture: 'x86_64',
      layers: [],
      environment: [],
      access: { tables: [], buckets: [] },
      logRetentionDays: 7,
    });
  });

  it('defaults a layer, the VPC placement, the log group, the API, its CORS and the VPC endpoints', () => {
    const m = serverless((x) => { x.spec.functions[0].vpc = {}; x.spec.network.endpoints = {}; });
    const spec = validateEnvironment(m).spec;
    expect(spec.layers[0]).toMatchObject({ description: '', compatibleArchitectures: [] });
    expect(spec.functions[0]!.vpc).toEqual({ subnetTier: 'private' });
    expect(spec.logGroup).toEqual({ name: '/aws/shop/test', retentionDays: 7 });
    expect(spec.api).toMatchObject({ type: 'HTTP', accessLogRetentionDays: 30 });
    expect(spec.api?.stageName).toBeUndefined();
    expect(spec.api?.cors).toEqual({
      allowOrigins: ['https://shop.example.com'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      maxAgeSeconds: 300,
    });
    expect(spec.network.endpoints).toEqual({ gateway: [], interface: [], subnetTier: 'private' });
    expect(spec.encryption).toEqual({ keyRotation: true, pendingWindowDays: 30, alias: true, logs: false });
  });
});

describe('serverless tier: constants', () => {
  it('offers functions every output containers have, plus tables, the log group and the stage', () => {
    expect(FUNCTION_ENVIRONMENT_OUTPUTS).toEqual([...ENVIRONMENT_OUTPUTS, 'tableName', 'tableArn', 'logGroupName', 'stage']);
  });

  it('lists the runtimes and table encryptions of the agreed API', () => {
    expect(LAMBDA_RUNTIMES).toContain('nodejs20.x');
    expect(LAMBDA_RUNTIMES).toContain('provided.al2023');
    expect(TABLE_ENCRYPTIONS).toEqual(['AWSOwned', 'AWSManaged', 'EnvironmentKey']);
  });
});

describe('serverless tier: valid variants', () => {
  it.each<[string, (m: Manifest) => void]>([
    ['the serverless base', () => undefined],
    ['a REST API with a stage name and no CORS', (m) => { Object.assign(m.spec.api, { type: 'REST', stageName: 'v1' }); delete m.spec.api.cors; }],
    ['a REST API proxy on POST /trade', (m) => { m.spec.api = { type: 'REST', routes: [{ method: 'POST', path: '/trade', function: 'users' }] }; }],
    ['routes on the root and a greedy parameter', (m) => { m.spec.api.routes = [{ method: 'ANY', path: '/', function: 'users' }, { method: 'GET', path: '/{proxy+}', function: 'users' }, { method: 'GET', path: '/v1.0/items/{itemId}/parts/{proxy+}', function: 'orders' }]; }],
    ['one path with two methods', (m) => { m.spec.api.routes.push({ method: 'POST', path: '/users/{id}', function: 'users' }); }],
    ['functions outside the VPC and no log group', (m) => { m.spec.functions.forEach((f: Manifest) => { delete f.vpc; }); delete m.spec.logGroup; m.spec.functions[0].environment.splice(3, 1); }],
    ['no API', (m) => { delete m.spec.api; }],
    ['tables only', (m) => { m.spec.functions = []; m.spec.layers = []; delete m.spec.api; }],
    ['an image function without storage', (m) => { delete m.spec.storage; delete m.spec.cdn; m.spec.layers = []; m.spec.functions.shift(); m.spec.api.routes = [{ method: 'ANY', path: '/{proxy+}', function: 'orders' }]; }],
    ['a reserved concurrency of 0 (function stopped)', (m) => { m.spec.functions[0].reservedConcurrency = 0; }],
    ['an attribute that is a table key and an index key, of one type', (m) => { m.spec.tables[0].globalSecondaryIndexes.push({ name: 'by-user', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'email', type: 'S' } }); }],
    ['the same attribute name with different types in different tables', (m) => { m.spec.tables[1].globalSecondaryIndexes[0].sortKey.type = 'S'; }],
    ['interface endpoints in the isolated tier', (m) => { m.spec.network.endpoints.subnetTier = 'isolated'; }],
    ['gateway endpoints with isolated subnets only', (m) => { m.spec.network.subnets.private.countPerAZ = 0; Object.assign(m.spec.network, { natGateways: 'None', endpoints: { gateway: ['dynamodb'] } }); m.spec.database.subnetTier = 'isolated'; m.spec.functions[0].vpc.subnetTier = 'isolated'; }],
    ['a variable with the name of a variable of another function', (m) => { m.spec.functions[1].environment = [{ name: 'STAGE', fromOutput: 'stage' }]; }],
    ['provisioned capacity at DynamoDB\'s per-table quota', (m) => { m.spec.tables[2].provisioned = { readCapacityUnits: 40000, writeCapacityUnits: 40000 }; }],
  ])('accepts %s', (_name, change) => {
    expect(fieldsOf(serverless(change))).toEqual([]);
  });
});

describe('serverless tier: key attribute types (one AttributeDefinitions list per table)', () => {
  const conflict = '`spec.tables[2].globalSecondaryIndexes`';
  it.each<[string, (m: Manifest) => void]>([
    ['an index partition key against the table partition key', (m) => { m.spec.tables[2].globalSecondaryIndexes[0].partitionKey = { name: 'orderId', type: 'N' }; }],
    ['an index partition key against the table sort key', (m) => { const g = m.spec.tables[2].globalSecondaryIndexes[0]; g.partitionKey = { name: 'createdAt', type: 'S' }; delete g.sortKey; }],
    ['an index sort key against the table sort key', (m) => { m.spec.tables[2].globalSecondaryIndexes[0].sortKey.type = 'B'; }],
    ['an index sort key against another index\'s partition key', (m) => { m.spec.tables[2].globalSecondaryIndexes[1].sortKey = { name: 'userId', type: 'N' }; }],
    ['an index partition key against another index\'s partition key', (m) => { m.spec.tables[2].globalSecondaryIndexes[1].partitionKey = { name: 'userId', type: 'B' }; }],
  ])(`rejects ${conflict} where %s differ in type`, (_name, change) => {
    expect(fieldsOf(serverless(change))).toEqual(['spec.tables[2].globalSecondaryIndexes']);
  });
});

describe('serverless tier: route paths', () => {
  it.each(['/', '/trade', '/users/{id}', '/{proxy+}', '/a/{b}/c.d_e-f/{g+}'])('accepts %s', (path) => {
    expect(fieldsOf(serverless((m) => { m.spec.api.routes[0].path = path; }))).toEqual([]);
  });

  it.each(['', 'users', '/users/', '//users', '/{proxy+}/more', '/{id', '/users/{first-name}', '/users?id=1', '/a b'])('rejects %j', (path) => {
    expect(fieldsOf(serverless((m) => { m.spec.api.routes[0].path = path; }))).toEqual(['spec.api.routes[0].path']);
  });
});

describe('serverless tier: invalid specs', () => {
  const cases = INVALID_CASES.filter((c) => c.serverless);

  it('has at least 25 cases of the serverless tier, each naming a field of it', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    for (const c of cases) expect(c.field).toMatch(/^spec\.(tables|layers|functions|logGroup|api|network\.endpoints|encryption\.alias)/);
  });

  it.each(cases.map((c) => [c.name, c] as const))('rejects %s, naming the field', (_name, c) => {
    expect(fieldsOf(invalidManifest(c))).toContain(c.field);
  });
});

type SchemaNode = { type?: string; enum?: unknown[]; maxLength?: number; maxItems?: number; properties?: Record<string, SchemaNode>; items?: SchemaNode };

/** Paths of the strings without maxLength or enum and of the lists without maxItems, at and below `node`. */
function unbounded(node: SchemaNode, path: string): string[] {
  const own = (node.type === 'string' && node.enum === undefined && node.maxLength === undefined) || (node.type === 'array' && node.maxItems === undefined) ? [path] : [];
  const props = Object.entries(node.properties ?? {}).flatMap(([k, v]) => unbounded(v, `${path}.${k}`));
  return [...own, ...props, ...(node.items ? unbounded(node.items, `${path}[]`) : [])];
}

describe('serverless tier: CRD', () => {
  const spec = (buildCrd() as any).spec.versions[0].schema.openAPIV3Schema.properties.spec as SchemaNode; // eslint-disable-line @typescript-eslint/no-explicit-any

  it.each(['tables', 'layers', 'functions', 'logGroup', 'api'])('bounds every string and list of spec.%s (the API server\'s CEL cost budget depends on it)', (section) => {
    expect(unbounded(spec.properties![section]!, `spec.${section}`)).toEqual([]);
  });

  it('bounds every string and list of spec.network.endpoints', () => {
    expect(unbounded(spec.properties!.network!.properties!.endpoints!, 'spec.network.endpoints')).toEqual([]);
  });
});
