import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION } from '../../../charts/bindings.js';
import { Firewall } from '../../../charts/constructs/firewall.js';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, renderWith, type LooseObject } from '../helpers/render-construct.js';

const TEAM_A = { namespace: 'team-a' };

function render(env: MarketplaceEnvironment): { objs: LooseObject[]; firewall: Firewall } {
  let firewall: Firewall | undefined;
  const objs = renderWith<LooseObject>(env, (chart, ctx) => {
    firewall = new Firewall(chart, 'firewall', { ctx, spec: env.spec.firewall! });
  });
  return { objs, firewall: firewall! };
}

const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

describe('Firewall, example 002 (REGIONAL, three managed rule groups)', () => {
  const env = example('002-ecommerce-web.yaml', TEAM_A);
  const { objs, firewall } = render(env);
  const acl = objs[0]!;

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one WebACL with deterministic names and labels, in the environment region', () => {
    expect(objs).toHaveLength(1);
    expect(firewall.name).toBe('ecommerce-prod123-waf');
    expect(`${acl.apiVersion} ${acl.kind} ${acl.metadata.namespace}/${acl.metadata.name}`).toBe('wafv2.services.k8s.aws/v1alpha1 WebACL team-a/ecommerce-prod123-waf');
    expect(acl.metadata.labels['app.kubernetes.io/component']).toBe('firewall');
    expect(acl.metadata.labels['marketplace.platform.dev/environment']).toBe('ecommerce-prod123');
    expect(acl.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
    expect(acl.metadata.annotations[BINDINGS_ANNOTATION]).toBeUndefined();
    expect(acl.spec).toMatchObject({ name: 'ecommerce-waf-prod123', scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: visibility('ecommerce-waf-prod123') });
    expect(acl.spec.tags).toContainEqual({ key: 'Name', value: 'ecommerce-waf-prod123' });
    expect(JSON.stringify(render(env).objs)).toBe(JSON.stringify(objs));
  });

  test('rate limit first (priority 0, block per IP), then the managed rule groups in spec order', () => {
    const rules = acl.spec.rules;
    expect(rules.map((r: Manifest) => [r.priority, r.name])).toEqual([
      [0, 'rate-limit'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [3, 'AWSManagedRulesSQLiRuleSet'],
    ]);
    expect(rules[0]).toEqual({
      name: 'rate-limit',
      priority: 0,
      statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
      action: { block: {} },
      visibilityConfig: visibility('ecommerce-waf-prod123-rate-limit'),
    });
    expect(rules[3]).toEqual({
      name: 'AWSManagedRulesSQLiRuleSet',
      priority: 3,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } },
      overrideAction: { none: {} },
      visibilityConfig: visibility('ecommerce-waf-prod123-AWSManagedRulesSQLiRuleSet'),
    });
    for (const r of rules.slice(1)) expect(r.action).toBeUndefined();
    const metrics = [acl.spec.visibilityConfig, ...rules.map((r: Manifest) => r.visibilityConfig)].map((v) => v.metricName);
    expect(new Set(metrics).size).toBe(metrics.length);
    for (const m of metrics) expect(m).toMatch(/^[\w-]{1,255}$/);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(acl);
    broken.spec.rules[0].statement.rateBasedStatement.evaluationWindowSeconds = 300;
    const sets = schemaSets().filter((s) => s.has(broken));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('Firewall, CLOUDFRONT scope in a us-east-2 environment, defaults', () => {
  const { objs } = render(
    example('002-ecommerce-web.yaml', { ...TEAM_A, patch: (raw) => {
      raw.spec.region = 'us-east-2';
      raw.spec.network.availabilityZones = ['us-east-2a', 'us-east-2b'];
      raw.spec.firewall = { scope: 'CLOUDFRONT', rateLimit: 500, rateLimitWindowSeconds: 60 };
    } }),
  );
  const acl = objs[0]!;

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('created in us-east-1 whatever the environment region', () => {
    expect(acl.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
    expect(acl.spec.scope).toBe('CLOUDFRONT');
  });

  test('rate limit and window from the spec; default managed rule groups', () => {
    expect(acl.spec.rules[0].statement.rateBasedStatement).toEqual({ limit: 500, aggregateKeyType: 'IP', evaluationWindowSec: 60 });
    expect(acl.spec.rules.map((r: Manifest) => [r.priority, r.name])).toEqual([
      [0, 'rate-limit'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
    ]);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('Firewall, REGIONAL scope outside us-east-1', () => {
  const { objs } = render(
    example('002-ecommerce-web.yaml', { ...TEAM_A, patch: (raw) => {
      raw.spec.region = 'eu-west-1';
      raw.spec.network.availabilityZones = ['eu-west-1a', 'eu-west-1b'];
    } }),
  );

  test('stays in the environment region', () => {
    expect(objs[0]!.metadata.annotations[REGION_ANNOTATION]).toBe('eu-west-1');
    expect(objs[0]!.spec.scope).toBe('REGIONAL');
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});
