import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { deletionWave } from '../../../charts/deletion-order.js';
import { CentralLogGroup } from '../../../charts/constructs/central-log-group.js';
import { FunctionLayers } from '../../../charts/constructs/function-layers.js';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS, VPC_ACTIONS } from '../../../charts/constructs/function-grants.js';
import { Functions } from '../../../charts/constructs/functions.js';
import type { LateValue } from '../../../charts/constructs/iam.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import * as apigatewayv2 from '../../../imports/apigatewayv2.services.k8s.aws.js';
import * as ec2 from '../../../imports/ec2.services.k8s.aws.js';
import * as kms from '../../../imports/kms.services.k8s.aws.js';
import * as s3 from '../../../imports/s3.services.k8s.aws.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const API: LateValue = { from: { ...apigatewayv2.Api.GVK, name: 'shop-api' }, fieldPath: 'status.apiID' };
const subnetNames = (tier: string) => [`shop-subnet-${tier}-a-0`, `shop-subnet-${tier}-b-0`];

/**
 * The serverless base, edited by `patch`: `users` (S3 archive, the shared layer, every kind of variable, read/write on
 * users, read on sessions, read on the assets bucket, private subnets) and `orders` (an image, write on the orders
 * table encrypted with the environment key, isolated subnets), with the central log group.
 */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders the layers, the functions (each invoked by the API unless `invokedByApi` says otherwise) and the central log group. */
function render(e: MarketplaceEnvironment, invokedByApi = new Set(e.spec.functions.map((f) => f.name))): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new FunctionLayers(chart, 'layers', { ctx, specs: e.spec.layers });
    new Functions(chart, 'functions', { ctx, specs: e.spec.functions, subnetNames, securityGroupName: 'shop-sg-app', kmsKeyName: 'shop-kms', invokedByApi, apiSource: API });
    if (e.spec.logGroup) new CentralLogGroup(chart, 'log-group', { ctx, spec: e.spec.logGroup });
  });
}

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);
const statements = (policy: LooseObject) => (JSON.parse(policy.spec.policyDocument as string) as { Statement: Statement[] }).Statement;
/** `Sid → [actions, resources]` of a policy. */
const bySid = (policy: LooseObject) => Object.fromEntries(statements(policy).map((s) => [s.Sid, [list(s.Action), list(s.Resource)]]));
const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const fn = (objects: LooseObject[], name: string) => named(objects, 'Function', `shop-function-${name}`);
const policiesOf = (objects: LooseObject[], name: string) => ofKind(objects, 'Policy').filter((p) => p.metadata.name.startsWith(`shop-policy-fn-${name}-`));
const tableArn = (name: string) => `arn:aws:dynamodb:us-east-1:${FAKE_ACCOUNT}:table/shop-${name}-test`;
const onTable = (name: string) => [tableArn(name), `${tableArn(name)}/index/*`];
const streams = (group: string) => `arn:aws:logs:us-east-1:${FAKE_ACCOUNT}:log-group:${group}:*`;

describe('Functions, layers and the central log group of the serverless base', () => {
  const e = env();
  const objects = render(e);
  const resolved = resolveWithFakes(objects) as LooseObject[];
  const policy = (name: string) => named(resolved, 'Policy', `shop-policy-fn-${name}`);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders per function a Function, its log group, its role with a policy per grant and its alias; one layer; the central log group', () => {
    const counts = Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));
    // users: tables, buckets, logs, vpc; orders: tables, kms, logs, vpc.
    expect(counts).toEqual({ Alias: 2, Function: 2, LayerVersion: 1, LogGroup: 3, Policy: 8, Role: 2 });
    for (const o of objects) expect([o.metadata.name, o.metadata.labels['app.kubernetes.io/component']]).toEqual([o.metadata.name, 'functions']);
  });

  it('sizes and configures each function from its spec', () => {
    expect(fn(objects, 'users').spec).toMatchObject({
      name: 'shop-users-test',
      packageType: 'Zip',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 30,
      architectures: ['x86_64'],
      reservedConcurrentExecutions: 10,
      roleRef: { from: { name: 'shop-role-fn-users' } },
      loggingConfig: { logGroup: '/aws/lambda/shop-users-test', logFormat: 'Text' },
    });
    const orders = fn(objects, 'orders').spec;
    expect(orders).toMatchObject({ name: 'shop-orders-test', packageType: 'Image', memorySize: 128, timeout: 3, architectures: ['arm64'], roleRef: { from: { name: 'shop-role-fn-orders' } } });
    for (const absent of ['runtime', 'handler', 'layers', 'environment', 'reservedConcurrentExecutions']) expect(orders).not.toHaveProperty(absent);
  });

  it('never renders functionEventInvokeConfig (the controller panics without a destinationConfig)', () => {
    for (const o of [...ofKind(objects, 'Function'), ...ofKind(objects, 'Alias')]) expect(o.spec).not.toHaveProperty('functionEventInvokeConfig');
  });

  it('takes an archive from the environment bucket by reference, and an image of the environment repository by binding', () => {
    expect(fn(objects, 'users').spec.code).toEqual({ s3BucketRef: { from: { name: 'shop-bucket-assets' } }, s3Key: 'functions/users.zip' });
    expect(bindingsOf(fn(objects, 'orders'))).toEqual([
      { path: '/spec/code/imageURI', from: { apiVersion: 'ecr.services.k8s.aws/v1alpha1', kind: 'Repository', name: 'shop-registry' }, fieldPath: 'status.repositoryURI', template: '{{value}}:v1', required: true },
    ]);
    expect(fn(resolved, 'orders').spec.code).toEqual({ imageURI: `${FAKE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-registry:v1` });
  });

  it('places each function in every subnet of its tier with the app security group', () => {
    expect(fn(objects, 'users').spec.vpcConfig).toEqual({ subnetRefs: subnetNames('private').map((name) => ({ from: { name } })), securityGroupRefs: [{ from: { name: 'shop-sg-app' } }] });
    expect(fn(objects, 'orders').spec.vpcConfig).toEqual({ subnetRefs: subnetNames('isolated').map((name) => ({ from: { name } })), securityGroupRefs: [{ from: { name: 'shop-sg-app' } }] });
  });

  it('binds the version ARN of each layer into the layers list', () => {
    expect(fn(objects, 'users').spec.layers).toEqual([]);
    expect(bindingsOf(fn(objects, 'users')).filter((b) => b.path.startsWith('/spec/layers/'))).toEqual([
      { path: '/spec/layers/0', from: { apiVersion: 'lambda.services.k8s.aws/v1alpha1', kind: 'LayerVersion', name: 'shop-layer-shared' }, fieldPath: 'status.ackResourceMetadata.arn', required: true },
    ]);
    expect(fn(resolved, 'users').spec.layers).toEqual([`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:layerversion/shop-layer-shared`]);
  });

  it('renders every variable: literals and values known now in place, values only AWS knows through required bindings', () => {
    expect(fn(objects, 'users').spec.environment).toEqual({
      variables: { ASSETS_BUCKET: 'shop-assets-test', LOG_GROUP: '/aws/shop/test', LOG_LEVEL: 'INFO', STAGE: 'test', USERS_TABLE_NAME: 'shop-users-test' },
    });
    const sources = Object.fromEntries(
      bindingsOf(fn(objects, 'users'))
        .filter((b) => b.path.startsWith('/spec/environment/'))
        .map((b) => [b.path.split('/').pop(), [b.from.kind, b.from.name, b.fieldPath, b.required]]),
    );
    expect(sources).toEqual({
      CACHE_HOST: ['ReplicationGroup', 'shop-cache', 'status.configurationEndpoint.address', true],
      CDN_DOMAIN: ['Distribution', 'shop-cdn', 'status.domainName', true],
      DB_HOST: ['DBCluster', 'shop-db', 'status.endpoint', true],
      DB_READER_HOST: ['DBCluster', 'shop-db', 'status.readerEndpoint', true],
      USERS_TABLE_ARN: ['Table', 'shop-table-users', 'status.ackResourceMetadata.arn', true],
    });
    expect((fn(resolved, 'users').spec.environment as { variables: Record<string, string> }).variables).toMatchObject({
      USERS_TABLE_ARN: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:table/shop-table-users`,
      DB_HOST: 'shop-db.endpoint.example',
    });
  });

  it('declares the outputs of each function at its index', () => {
    expect(JSON.parse(fn(objects, 'orders').metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([
      { output: '/functions/1/name', value: 'orders' },
      { output: '/functions/1/functionName', value: 'shop-orders-test' },
      { output: '/functions/1/arn', fieldPath: 'status.ackResourceMetadata.arn' },
    ]);
  });

  it('gives each function its log group /aws/lambda/<name> with its retention, and renders the central one', () => {
    const logGroups = ofKind(objects, 'LogGroup').map((l) => [l.metadata.name, l.spec.name, l.spec.retentionDays]);
    expect(logGroups).toEqual([
      ['shop-function-users-logs', '/aws/lambda/shop-users-test', 7],
      ['shop-function-orders-logs', '/aws/lambda/shop-orders-test', 14],
      ['shop-log-group', '/aws/shop/test', 7],
    ]);
    for (const l of ofKind(objects, 'LogGroup')) expect(l.metadata.annotations).not.toHaveProperty('services.k8s.aws/deletion-policy');
    expect(JSON.parse(named(objects, 'LogGroup', 'shop-log-group').metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([{ output: '/logGroupName', value: '/aws/shop/test' }]);
  });

  it('renders the layer from its archive in the environment bucket', () => {
    expect(only(objects, 'LayerVersion').spec).toEqual({
      layerName: 'shop-shared-test',
      description: 'shop-test: layer shared',
      content: { s3Bucket: 'shop-assets-test', s3Key: 'layers/shared.zip' },
      compatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
    });
  });

  it('lets only the API invoke each function, through its live alias on $LATEST', () => {
    const alias = named(objects, 'Alias', 'shop-function-users-live');
    expect(alias.spec).toEqual({
      name: 'live',
      functionRef: { from: { name: 'shop-function-users' } },
      functionVersion: '$LATEST',
      description: 'invoked by the API',
      permissions: [{ statementID: 'apigateway-invoke', action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com' }],
    });
    expect(bindingsOf(alias).map((b) => [b.path, b.from.name, b.fieldPath, b.template, b.join, b.required])).toEqual([
      ['/spec/permissions/0/sourceARN', 'shop-api', 'status.ackResourceMetadata.ownerAccountID', 'arn:aws:execute-api:us-east-1:{{value}}', ':', true],
      ['/spec/permissions/0/sourceARN', 'shop-api', 'status.apiID', '{{value}}/*', ':', true],
    ]);
    const permission = (named(resolved, 'Alias', 'shop-function-orders-live').spec.permissions as { sourceARN: string }[])[0]!;
    expect(permission.sourceARN).toBe(`arn:aws:execute-api:us-east-1:${FAKE_ACCOUNT}:shop-api.apiID.example/*`);
  });

  it('trusts Lambda in every role and attaches exactly its policies', () => {
    expect(named(objects, 'Role', 'shop-role-fn-users').spec).toMatchObject({
      name: 'shop-fn-users-test',
      policyRefs: ['tables', 'buckets', 'logs', 'vpc'].map((g) => ({ from: { name: `shop-policy-fn-users-${g}` } })),
    });
    expect(named(objects, 'Role', 'shop-role-fn-orders').spec.policyRefs).toEqual(['tables', 'kms', 'logs', 'vpc'].map((g) => ({ from: { name: `shop-policy-fn-orders-${g}` } })));
    for (const role of ofKind(objects, 'Role')) expect(JSON.parse(role.spec.assumeRolePolicyDocument as string).Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
  });

  it('grants each function exactly the tables (and their indexes) it names, with exactly the actions it names', () => {
    expect(bySid(policy('users-tables'))).toEqual({
      ReadTables: [TABLE_READ_ACTIONS, [...onTable('users'), ...onTable('sessions')]],
      WriteTables: [TABLE_WRITE_ACTIONS, onTable('users')],
    });
    expect(bySid(policy('orders-tables'))).toEqual({ WriteTables: [TABLE_WRITE_ACTIONS, onTable('orders')] });
  });

  it('never lets a function touch a table, bucket or log group of another function', () => {
    const resources = (name: string) => policiesOf(resolved, name).flatMap(statements).flatMap((s) => list(s.Resource));
    const users = resources('users');
    const orders = resources('orders');
    expect(users.filter((r) => r.includes('orders'))).toEqual([]);
    expect(orders.filter((r) => /users|sessions|assets/.test(r))).toEqual([]);
    const tablesIn = (resources: string[]) => [...new Set(resources.flatMap((r) => /:table\/shop-([a-z-]+)-test/.exec(r)?.[1] ?? []))].sort();
    expect(tablesIn(users)).toEqual(['sessions', 'users']);
    expect(tablesIn(orders)).toEqual(['orders']);
  });

  it('lets users read (list and get) exactly the assets bucket, and write none', () => {
    expect(bySid(policy('users-buckets'))).toEqual({
      ListBuckets: [['s3:ListBucket'], ['arn:aws:s3:::shop-assets-test']],
      ReadObjects: [['s3:GetObject'], ['arn:aws:s3:::shop-assets-test/*']],
    });
  });

  it('lets orders use the environment key through DynamoDB only, for the table encrypted with it', () => {
    expect(statements(policy('orders-kms'))).toEqual([
      {
        Sid: 'UseTableKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:key/shop-kms`,
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
      },
    ]);
  });

  it('lets each function write the streams of its own log group and of the central one, and of no other', () => {
    expect(bySid(policy('users-logs'))).toEqual({ WriteLogs: [['logs:CreateLogStream', 'logs:PutLogEvents'], [streams('/aws/lambda/shop-users-test'), streams('/aws/shop/test')]] });
    expect(bySid(policy('orders-logs'))).toEqual({ WriteLogs: [['logs:CreateLogStream', 'logs:PutLogEvents'], [streams('/aws/lambda/shop-orders-test'), streams('/aws/shop/test')]] });
  });

  it('uses * only for the VPC network interfaces, and leaves no placeholder once resolved', () => {
    for (const p of ofKind(resolved, 'Policy')) {
      for (const s of statements(p)) {
        for (const r of list(s.Resource)) {
          expect(r).not.toContain('{{value}}');
          if (r === '*') expect([p.metadata.name, s.Action]).toEqual([p.metadata.name, VPC_ACTIONS]);
          else if (r.includes('*')) expect(r).toMatch(/\/index\/\*$|:log-group:[^*]+:\*$|^arn:aws:s3:::shop-[a-z0-9-]+-test\/\*$/);
        }
      }
    }
  });

  it('holds each policy with a late value back until it is known, reading the account from the function\'s own log group', () => {
    const source = (name: string) => bindingsOf(named(objects, 'Policy', `shop-policy-fn-${name}`)).map((b) => [b.from.kind, b.from.name, b.fieldPath, b.required]);
    expect(source('users-tables')).toEqual([['LogGroup', 'shop-function-users-logs', 'status.ackResourceMetadata.ownerAccountID', true]]);
    expect(source('users-logs')).toEqual([['LogGroup', 'shop-function-users-logs', 'status.ackResourceMetadata.ownerAccountID', true]]);
    expect(source('orders-kms')).toEqual([['Key', 'shop-kms', 'status.ackResourceMetadata.arn', true]]);
    expect(source('users-buckets')).toEqual([]);
    expect(source('users-vpc')).toEqual([]);
  });

  it('deletes each child before what it uses (declared waves)', () => {
    type Gvk = { apiVersion: string; kind: string };
    const external: Record<string, Gvk> = { 'shop-bucket-assets': s3.Bucket.GVK, 'shop-sg-app': ec2.SecurityGroup.GVK, 'shop-kms': kms.Key.GVK };
    for (const tier of ['private', 'isolated']) for (const s of subnetNames(tier)) external[s] = ec2.Subnet.GVK;
    const gvkOf = (name: string): Gvk => objects.find((o) => o.metadata.name === name) ?? external[name]!;
    const refs = (node: unknown): string[] =>
      Array.isArray(node) ? node.flatMap(refs) : node && typeof node === 'object' ? [...('from' in node ? [(node as { from: { name: string } }).from.name] : []), ...Object.values(node).flatMap(refs)] : [];
    for (const o of objects) {
      const used = [...refs(o.spec).map(gvkOf), ...bindingsOf(o).map((b) => b.from)];
      for (const u of used) expect([o.kind, u.kind, deletionWave(o) < deletionWave(u)]).toEqual([o.kind, u.kind, true]);
    }
  });
});

describe('Functions from other specs', () => {
  it('renders no alias for a function no route targets, and needs the API id for one it does', () => {
    const e = env();
    expect(ofKind(render(e, new Set(['orders'])), 'Alias').map((a) => a.metadata.name)).toEqual(['shop-function-orders-live']);
    expect(() =>
      renderWith(e, (chart, ctx) => new Functions(chart, 'f', { ctx, specs: e.spec.functions, subnetNames, securityGroupName: 'sg', kmsKeyName: 'kms', invokedByApi: new Set(['users']) })),
    ).toThrow('spec.functions[users]: an API route targets it, but no API id source was given');
  });

  it('stacks several layers in spec order, one binding per index', () => {
    const e = env((m) => {
      m.spec.layers.push({ name: 'extra', code: { bucket: 'assets', key: 'layers/extra.zip' }, compatibleRuntimes: ['nodejs20.x'], compatibleArchitectures: ['x86_64'], description: 'Extras' });
      m.spec.functions[0].layers = ['extra', 'shared'];
    });
    const objects = render(e);
    expect(bindingsOf(fn(objects, 'users')).filter((b) => b.path.startsWith('/spec/layers/')).map((b) => [b.path, b.from.name])).toEqual([
      ['/spec/layers/0', 'shop-layer-extra'],
      ['/spec/layers/1', 'shop-layer-shared'],
    ]);
    expect(fn(resolveWithFakes(objects) as LooseObject[], 'users').spec.layers).toEqual(['shop-layer-extra', 'shop-layer-shared'].map((n) => `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:layerversion/${n}`));
    expect(named(objects, 'LayerVersion', 'shop-layer-extra').spec).toMatchObject({ description: 'Extras', compatibleArchitectures: ['x86_64'] });
  });

  it('grants write on buckets (and the key through S3 for a KMS bucket), no VPC access outside the VPC, and its own logs only without a central log group', () => {
    const e = env((m) => {
      m.spec.storage.buckets.push({ name: 'uploads', purpose: 'files', encryption: 'KMS' });
      const users = m.spec.functions[0];
      users.access.buckets = [{ bucket: 'uploads', actions: 'write' }, { bucket: 'assets', actions: 'readWrite' }];
      users.environment = users.environment.filter((v: { fromOutput?: string }) => v.fromOutput !== 'logGroupName');
      delete users.vpc;
      delete m.spec.logGroup;
    });
    const resolved = resolveWithFakes(render(e)) as LooseObject[];
    expect(bySid(named(resolved, 'Policy', 'shop-policy-fn-users-buckets'))).toEqual({
      ListBuckets: [['s3:ListBucket'], ['arn:aws:s3:::shop-assets-test']],
      ReadObjects: [['s3:GetObject'], ['arn:aws:s3:::shop-assets-test/*']],
      WriteObjects: [['s3:PutObject', 's3:DeleteObject'], ['arn:aws:s3:::shop-uploads-test/*', 'arn:aws:s3:::shop-assets-test/*']],
    });
    expect(bySid(named(resolved, 'Policy', 'shop-policy-fn-users-kms'))).toEqual({ UseBucketKey: [['kms:Decrypt', 'kms:GenerateDataKey'], [`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:key/shop-kms`]] });
    expect(named(resolved, 'Role', 'shop-role-fn-users').spec.policyRefs).toEqual(['tables', 'buckets', 'kms', 'logs'].map((g) => ({ from: { name: `shop-policy-fn-users-${g}` } })));
    expect(fn(resolved, 'users').spec).not.toHaveProperty('vpcConfig');
    expect(bySid(named(resolved, 'Policy', 'shop-policy-fn-users-logs')).WriteLogs![1]).toEqual([streams('/aws/lambda/shop-users-test')]);
    expect(ofKind(resolved, 'LogGroup')).toHaveLength(2);
  });

  it('decrypts only, without generating data keys, for read access to a table encrypted with the environment key', () => {
    const e = env((m) => (m.spec.functions[1].access.tables = [{ table: 'orders', actions: 'read' }]));
    expect(bySid(named(resolveWithFakes(render(e)) as LooseObject[], 'Policy', 'shop-policy-fn-orders-kms')).UseTableKey![0]).toEqual(['kms:Decrypt']);
  });

  it('renders no role policy for tables or buckets a function does not name', () => {
    const e = env((m) => (m.spec.functions[0].access = {}));
    expect(named(render(e), 'Role', 'shop-role-fn-users').spec.policyRefs).toEqual(['logs', 'vpc'].map((g) => ({ from: { name: `shop-policy-fn-users-${g}` } })));
  });

  it('keeps Lambda, role and policy names within AWS limits with the longest project (16), name (24) and suffix (12)', () => {
    const e = env((m) => {
      Object.assign(m.spec, { project: 'abcdefghijklmnop', environmentSuffix: 'abcdefghijkl' });
      m.spec.functions[1].name = 'o'.repeat(24);
      m.spec.api.routes = m.spec.api.routes.map((r: { function: string }) => ({ ...r, function: r.function === 'orders' ? 'o'.repeat(24) : r.function }));
    });
    const objects = render(e);
    for (const f of ofKind(objects, 'Function')) expect((f.spec.name as string).length).toBeLessThanOrEqual(64);
    for (const r of ofKind(objects, 'Role')) expect((r.spec.name as string).length).toBeLessThanOrEqual(64);
    for (const p of ofKind(objects, 'Policy')) expect((p.spec.name as string).length).toBeLessThanOrEqual(128);
    expect(Math.max(...ofKind(objects, 'Role').map((r) => (r.spec.name as string).length))).toBe(57);
  });
});
