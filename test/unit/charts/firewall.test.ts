import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION } from '../../../charts/bindings.js';
import { Firewall } from '../../../charts/constructs/firewall.js';
import { EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { availableSchemaSets, PINNED_CRDS, ROOT, type CrdSchemaSet } from '../helpers/ack-schemas.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: any };

function example(file: string, edit?: (raw: any) => void): MarketplaceEnvironment {
  const raw = parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  raw.metadata.namespace = 'team-a';
  edit?.(raw);
  return validateEnvironment(raw);
}

function render(env: MarketplaceEnvironment): { objs: Obj[]; firewall: Firewall } {
  const chart = new Chart(new App(), 'test', { namespace: 'team-a', disableResourceNameHashes: true });
  const firewall = new Firewall(chart, 'firewall', { ctx: new EnvironmentContext(env), spec: env.spec.firewall! });
  return { objs: chart.toJson() as Obj[], firewall };
}

const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

let schemaSets: CrdSchemaSet[];
beforeAll(() => {
  schemaSets = availableSchemaSets();
});

function expectValid(objs: Obj[]): void {
  for (const obj of objs) {
    const sets = schemaSets.filter((s) => s.has(obj));
    for (const set of sets) expect(set.errors(obj)).toEqual([]);
    if (existsSync(PINNED_CRDS)) expect(sets.length).toBeGreaterThan(0);
  }
}

describe('Firewall, example 002 (REGIONAL, three managed rule groups)', () => {
  const env = example('002-ecommerce-web.yaml');
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
    expect(rules.map((r: any) => [r.priority, r.name])).toEqual([
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
    const metrics = [acl.spec.visibilityConfig, ...rules.map((r: any) => r.visibilityConfig)].map((v) => v.metricName);
    expect(new Set(metrics).size).toBe(metrics.length);
    for (const m of metrics) expect(m).toMatch(/^[\w-]{1,255}$/);
  });

  test('valid against the ACK CRDs', () => {
    expectValid(objs);
  });

  test('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(acl);
    broken.spec.rules[0].statement.rateBasedStatement.evaluationWindowSeconds = 300;
    const sets = schemaSets.filter((s) => s.has(broken));
    if (existsSync(PINNED_CRDS)) expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('Firewall, CLOUDFRONT scope in a us-east-2 environment, defaults', () => {
  const { objs } = render(
    example('002-ecommerce-web.yaml', (raw) => {
      raw.spec.region = 'us-east-2';
      raw.spec.network.availabilityZones = ['us-east-2a', 'us-east-2b'];
      raw.spec.firewall = { scope: 'CLOUDFRONT', rateLimit: 500, rateLimitWindowSeconds: 60 };
    }),
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
    expect(acl.spec.rules.map((r: any) => [r.priority, r.name])).toEqual([
      [0, 'rate-limit'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
    ]);
  });

  test('valid against the ACK CRDs', () => {
    expectValid(objs);
  });
});

describe('Firewall, REGIONAL scope outside us-east-1', () => {
  test('stays in the environment region', () => {
    const { objs } = render(
      example('002-ecommerce-web.yaml', (raw) => {
        raw.spec.region = 'eu-west-1';
        raw.spec.network.availabilityZones = ['eu-west-1a', 'eu-west-1b'];
      }),
    );
    expect(objs[0]!.metadata.annotations[REGION_ANNOTATION]).toBe('eu-west-1');
    expect(objs[0]!.spec.scope).toBe('REGIONAL');
    expectValid(objs);
  });
});
