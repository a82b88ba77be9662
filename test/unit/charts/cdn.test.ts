import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { CACHING_OPTIMIZED_POLICY_ID, Cdn } from '../../../charts/constructs/cdn.js';
import { EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { bindingsOf } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const TEAM_A = { namespace: 'team-a' };

function render(env: MarketplaceEnvironment, webAclName?: string): LooseObject[] {
  return renderWith<LooseObject>(env, (chart, ctx) => new Cdn(chart, 'cdn', { ctx, spec: env.spec.cdn!, webAclName }));
}

describe('Cdn, example 001 (origin + one behaviour bucket, logging)', () => {
  const env = example('001-marketplace-platform.yaml', TEAM_A);
  const objs = render(env);
  const oac = only(objs, 'OriginAccessControl');
  const dist = only(objs, 'Distribution');
  const config = dist.spec.distributionConfig;

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('deterministic names, labels and region', () => {
    expect(new EnvironmentContext(env).names.distribution()).toBe('marketplace-platform-dev-cdn');
    expect(objs.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'cloudfront.services.k8s.aws/v1alpha1 OriginAccessControl team-a/marketplace-platform-dev-oac',
      'cloudfront.services.k8s.aws/v1alpha1 Distribution team-a/marketplace-platform-dev-cdn',
    ]);
    for (const o of objs) {
      expect(o.metadata.labels['app.kubernetes.io/component']).toBe('cdn');
      expect(o.metadata.labels['marketplace.platform.dev/environment']).toBe('marketplace-platform-dev');
      expect(o.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
      expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBeUndefined();
    }
    expect(JSON.stringify(render(env))).toBe(JSON.stringify(objs));
  });

  test('Origin Access Control: S3, always signed with SigV4', () => {
    expect(oac.spec.originAccessControlConfig).toMatchObject({
      name: 'marketplace-oac-dev',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
  });

  test('distribution settings', () => {
    expect(config).toMatchObject({
      enabled: true,
      defaultRootObject: 'index.html',
      priceClass: 'PriceClass_100',
      httpVersion: 'http2and3',
      isIPV6Enabled: true,
      viewerCertificate: { cloudFrontDefaultCertificate: true },
    });
    expect(config.webACLID).toBeUndefined();
    expect(dist.spec.tags).toContainEqual({ key: 'Name', value: 'marketplace-cdn-dev' });
  });

  test('one S3 origin per distinct bucket, origin bucket first, regional domain, empty OAI', () => {
    expect(config.origins.items).toEqual([
      { id: 's3-assets', domainName: 'marketplace-assets-dev.s3.us-east-1.amazonaws.com', s3OriginConfig: { originAccessIdentity: '' } },
      { id: 's3-solutions', domainName: 'marketplace-solutions-dev.s3.us-east-1.amazonaws.com', s3OriginConfig: { originAccessIdentity: '' } },
    ]);
  });

  test('default behaviour to the origin bucket and one path behaviour per spec behaviour', () => {
    const common = {
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: { items: ['GET', 'HEAD'], cachedMethods: { items: ['GET', 'HEAD'] } },
      cachePolicyID: CACHING_OPTIMIZED_POLICY_ID,
      compress: true,
    };
    expect(CACHING_OPTIMIZED_POLICY_ID).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
    expect(config.defaultCacheBehavior).toEqual({ targetOriginID: 's3-assets', ...common });
    expect(config.cacheBehaviors.items).toEqual([{ pathPattern: '/solutions/*', targetOriginID: 's3-solutions', ...common }]);
    const ids = config.origins.items.map((o: Manifest) => o.id);
    for (const b of [config.defaultCacheBehavior, ...config.cacheBehaviors.items]) expect(ids).toContain(b.targetOriginID);
  });

  test('standard logging to the logs bucket', () => {
    expect(config.logging).toEqual({ enabled: true, bucket: 'marketplace-cdn-logs-dev.s3.amazonaws.com', prefix: 'cloudfront/', includeCookies: false });
  });

  test('every origin gets its OAC id through a required binding; no web ACL binding', () => {
    expect(bindingsOf(oac)).toEqual([]);
    expect(bindingsOf(dist)).toEqual(
      [0, 1].map((i) => ({
        path: `/spec/distributionConfig/origins/items/${i}/originAccessControlID`,
        from: { apiVersion: 'cloudfront.services.k8s.aws/v1alpha1', kind: 'OriginAccessControl', name: 'marketplace-platform-dev-oac' },
        fieldPath: 'status.id',
        required: true,
      })),
    );
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(dist);
    broken.spec.distributionConfig.origins.items[0].originAccessControlId = 'E123';
    const sets = schemaSets().filter((s) => s.has(broken));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('Cdn, example 002 (origin bucket only, no logging)', () => {
  const objs = render(example('002-ecommerce-web.yaml', TEAM_A));
  const config = only(objs, 'Distribution').spec.distributionConfig;

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one origin, no path behaviours, no logging', () => {
    expect(config.origins.items.map((o: Manifest) => o.id)).toEqual(['s3-assets']);
    expect(config.origins.items[0].domainName).toBe('ecommerce-assets-prod123.s3.us-east-1.amazonaws.com');
    expect(config.cacheBehaviors).toBeUndefined();
    expect(config.logging).toBeUndefined();
    expect(bindingsOf(only(objs, 'Distribution')).map((b) => b.path)).toEqual(['/spec/distributionConfig/origins/items/0/originAccessControlID']);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('Cdn with a CLOUDFRONT web ACL, us-east-2, behaviours sharing buckets', () => {
  const env = example('001-marketplace-platform.yaml', { ...TEAM_A, patch: (raw) => {
    raw.spec.region = 'us-east-2';
    raw.spec.network.availabilityZones = ['us-east-2a', 'us-east-2b'];
    raw.spec.cdn.viewerProtocolPolicy = 'https-only';
    raw.spec.cdn.priceClass = 'PriceClass_All';
    raw.spec.cdn.behaviors = [
      { pathPattern: '/solutions/*', bucket: 'solutions' },
      { pathPattern: '/img/*', bucket: 'assets' },
      { pathPattern: '/docs/*', bucket: 'solutions' },
    ];
    raw.spec.firewall = { scope: 'CLOUDFRONT' };
  } });
  const objs = render(env, 'marketplace-platform-dev-waf');
  const dist = only(objs, 'Distribution');
  const config = dist.spec.distributionConfig;

  test('origins are deduplicated; behaviours keep spec order and target their bucket', () => {
    expect(config.origins.items.map((o: Manifest) => [o.id, o.domainName])).toEqual([
      ['s3-assets', 'marketplace-assets-dev.s3.us-east-2.amazonaws.com'],
      ['s3-solutions', 'marketplace-solutions-dev.s3.us-east-2.amazonaws.com'],
    ]);
    expect(config.cacheBehaviors.items.map((b: Manifest) => [b.pathPattern, b.targetOriginID, b.viewerProtocolPolicy])).toEqual([
      ['/solutions/*', 's3-solutions', 'https-only'],
      ['/img/*', 's3-assets', 'https-only'],
      ['/docs/*', 's3-solutions', 'https-only'],
    ]);
    expect(config.priceClass).toBe('PriceClass_All');
  });

  test('webACLID through a required binding on the WebACL ARN', () => {
    const bindings = bindingsOf(dist);
    expect(bindings.map((b) => b.path)).toEqual([
      '/spec/distributionConfig/origins/items/0/originAccessControlID',
      '/spec/distributionConfig/origins/items/1/originAccessControlID',
      '/spec/distributionConfig/webACLID',
    ]);
    expect(bindings[2]).toEqual({
      path: '/spec/distributionConfig/webACLID',
      from: { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: 'marketplace-platform-dev-waf' },
      fieldPath: 'status.ackResourceMetadata.arn',
      required: true,
    });
    expect(config.webACLID).toBeUndefined();
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});
