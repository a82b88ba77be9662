/**
 * spec.encryption.logs (seed 001: "CloudWatch logs encrypted at rest"): every log group the charts render names the
 * environment key by `kmsKeyRef`, and none does without the setting. The key policy that lets CloudWatch Logs use the
 * key is kms-key.test.ts's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { buildCrd } from '../../../api/crd.js';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { ApiLogGroup } from '../../../charts/constructs/api-log-group.js';
import { AppLogGroup } from '../../../charts/constructs/app-log-group.js';
import { CentralLogGroup } from '../../../charts/constructs/central-log-group.js';
import { KmsKey, logGroupEncryption } from '../../../charts/constructs/kms-key.js';
import { LambdaFunction } from '../../../charts/constructs/lambda-function.js';
import { EnvironmentContext } from '../../../charts/context.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { ROOT, crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { ofKind, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The serverless base (with its HTTP API and central log group), encryption.logs as given. */
function environment(logs: boolean | undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  if (logs !== undefined) m.spec.encryption.logs = logs;
  return validateEnvironment(m);
}

/** Every LogGroup construct of the charts, rendered alone for `env`: its LogGroups. */
function logGroups(env: MarketplaceEnvironment): LooseObject[] {
  const objects = renderWith<LooseObject>(env, (chart, ctx) => {
    new AppLogGroup(chart, 'app', { ctx, retentionDays: 30 });
    new CentralLogGroup(chart, 'central', { ctx, spec: env.spec.logGroup! });
    new ApiLogGroup(chart, 'api', { ctx, retentionDays: 30 });
    env.spec.functions.forEach((fn, index) => {
      new LambdaFunction(chart, `fn-${fn.name}`, { ctx, spec: fn, index, subnetNames: ['shop-subnet-a', 'shop-subnet-b'], securityGroupName: 'shop-sg-app', kmsKeyName: KmsKey.resourceName(ctx) });
    });
  });
  return ofKind(objects, 'LogGroup');
}

describe('log groups with encryption.logs (seed 001)', () => {
  const env = environment(true);
  const groups = logGroups(env);
  const keyName = KmsKey.resourceName(new EnvironmentContext(env));

  test('matches the snapshot', () => {
    expect(groups).toMatchSnapshot();
  });

  test('renders the log group of every construct: application, central, API access log and one per function', () => {
    expect(groups.map((g) => g.spec.name)).toEqual(['/shop/test/app', '/aws/shop/test', '/aws/apigateway/shop-api-test', '/aws/lambda/shop-users-test', '/aws/lambda/shop-orders-test']);
  });

  test('each names the environment key by reference, so ACK creates it only once the key (and its policy) exists', () => {
    expect(keyName).toBe('shop-kms');
    for (const g of groups) expect([g.spec.name, g.spec.kmsKeyRef, g.spec.kmsKeyID]).toEqual([g.spec.name, { from: { name: keyName } }, undefined]);
  });

  test('the reference is the name the key is rendered under', () => {
    const [key] = renderWith(env, (chart, ctx) => new KmsKey(chart, 'kms', { ctx, vpcName: 'shop-vpc' }));
    expect(key!.metadata.name).toBe(keyName);
  });

  crdTest(groups)('valid against the ACK CRDs (closed schemas)', () => {
    expect(crdErrors(groups)).toEqual([]);
  });

  test('deleted long before the key (the key goes last), so nothing encrypted with it outlives its deletion', () => {
    const wave = (kind: string) => CHILD_KINDS.find((k) => k.kind === kind)!.deletionWave;
    expect(wave('LogGroup')).toBeLessThan(wave('Key'));
  });
});

describe('log groups without encryption.logs', () => {
  test.each([
    ['defaulted', undefined],
    ['false', false],
  ])('%s: no key on any log group, and the setting defaults to false', (_, logs) => {
    const env = environment(logs);
    expect(env.spec.encryption.logs).toBe(false);
    const groups = logGroups(env);
    expect(groups).toHaveLength(5);
    for (const g of groups) {
      expect(g.spec.kmsKeyRef).toBeUndefined();
      expect(g.spec.kmsKeyID).toBeUndefined();
    }
    expect(logGroupEncryption(new EnvironmentContext(env))).toEqual({});
  });
});

describe('every LogGroup the charts render goes through logGroupEncryption', () => {
  const dir = join(ROOT, 'charts', 'constructs');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const);
  const rendering = sources.filter(([, text]) => text.includes('new cloudwatchlogs.LogGroup('));

  test('the four constructs that render one (a new one must spread logGroupEncryption(ctx) into its spec too)', () => {
    expect(rendering.map(([f]) => f).sort()).toEqual(['api-log-group.ts', 'app-log-group.ts', 'central-log-group.ts', 'lambda-function.ts']);
    for (const [f, text] of rendering) expect([f, text.split('new cloudwatchlogs.LogGroup(').length - 1]).toEqual([f, text.split('...logGroupEncryption(ctx)').length - 1]);
  });
});

describe('spec.encryption.logs in the API', () => {
  const crd = buildCrd() as Manifest;
  const encryption = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.encryption;

  test('a boolean defaulting to false, immutable (the cloudwatchlogs controller sets a log group\'s key only on creation)', () => {
    expect(encryption.properties.logs).toMatchObject({ type: 'boolean', default: false });
    expect(encryption.properties.logs['x-kubernetes-validations']).toEqual([{ rule: 'self == oldSelf', message: 'encryption.logs is immutable' }]);
  });

  test('render rejects a non-boolean', () => {
    const m = validServerlessBase('shop');
    m.spec.encryption.logs = 'yes';
    expect(() => validateEnvironment(m)).toThrow(/spec\.encryption\.logs/);
  });
});
