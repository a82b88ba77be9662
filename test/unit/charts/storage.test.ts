import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, VALUE_PLACEHOLDER } from '../../../charts/bindings.js';
import { Network } from '../../../charts/constructs/network.js';
import { Storage } from '../../../charts/constructs/storage.js';
import { DELETION_POLICY_ANNOTATION, EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { bindingsOf } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, named, renderWith, type LooseObject } from '../helpers/render-construct.js';

const TEAM_A = { namespace: 'team-a' };
const KMS_KEY = 'kms-key-under-test';
const ARN = 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE';

function render(env: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(env, (chart, ctx) => new Storage(chart, 'storage', { ctx, spec: env.spec.storage!, kmsKeyName: KMS_KEY, vpcName: Network.vpcName(ctx) }));
}

describe('Storage, example 001 (4 buckets, 2 served by the CDN, us-east-1)', () => {
  const env = example('001-marketplace-platform.yaml', TEAM_A);
  const objs = render(env);
  const assets = named(objs, 'Bucket', 'marketplace-platform-dev-bucket-assets');
  const solutions = named(objs, 'Bucket', 'marketplace-platform-dev-bucket-solutions');
  const logs = named(objs, 'Bucket', 'marketplace-platform-dev-bucket-cdn-logs');

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one Bucket per spec bucket, with deterministic Kubernetes and AWS names', () => {
    expect(objs.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${o.spec.name}`)).toEqual([
      'Bucket team-a/marketplace-platform-dev-bucket-assets marketplace-assets-dev',
      'Bucket team-a/marketplace-platform-dev-bucket-solutions marketplace-solutions-dev',
      'Bucket team-a/marketplace-platform-dev-bucket-cdn-logs marketplace-cdn-logs-dev',
      'Bucket team-a/marketplace-platform-dev-bucket-deployments marketplace-deployments-dev',
    ]);
    expect(new EnvironmentContext(env).names.bucketAwsName('assets')).toBe('marketplace-assets-dev');
    expect(JSON.stringify(render(env))).toBe(JSON.stringify(objs));
  });

  test('labels, region and deletion-policy annotations', () => {
    for (const o of objs) {
      expect(o.apiVersion).toBe('s3.services.k8s.aws/v1alpha1');
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'marketplace-operator',
        'app.kubernetes.io/part-of': 'marketplace',
        'app.kubernetes.io/component': 'storage',
        'marketplace.platform.dev/environment': 'marketplace-platform-dev',
      });
      expect(o.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
      expect(o.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('retain');
      expect(o.spec.tagging.tagSet).toContainEqual({ key: 'Name', value: o.spec.name });
      expect(o.spec.tagging.tagSet).toContainEqual({ key: 'Stage', value: 'dev' });
    }
  });

  test('public access is blocked on every bucket; no location constraint in us-east-1', () => {
    for (const o of objs) {
      expect(o.spec.publicAccessBlock).toEqual({ blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true });
      expect(o.spec.createBucketConfiguration).toBeUndefined();
    }
  });

  test('object ownership by purpose: ACLs only on the logs bucket', () => {
    expect(assets.spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerEnforced' }] });
    expect(solutions.spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerEnforced' }] });
    expect(logs.spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerPreferred' }] });
  });

  test('versioning and lifecycle rules from the spec', () => {
    expect(assets.spec.versioning).toEqual({ status: 'Enabled' });
    expect(logs.spec.versioning).toBeUndefined();
    expect(assets.spec.lifecycle).toEqual({
      rules: [{ id: 'expire-noncurrent-versions', status: 'Enabled', filter: { prefix: '' }, noncurrentVersionExpiration: { noncurrentDays: 30 } }],
    });
    expect(logs.spec.lifecycle).toEqual({ rules: [{ id: 'expire-objects', status: 'Enabled', filter: { prefix: '' }, expiration: { days: 90 } }] });
  });

  test('SSE-S3 encryption, no KMS binding', () => {
    for (const o of objs) {
      expect(o.spec.encryption).toEqual({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
      expect(bindingsOf(o).filter((b) => b.from.kind === 'Key')).toEqual([]);
    }
  });

  test('CDN-served buckets: TLS-only policy until a non-required binding on the Distribution ARN replaces it', () => {
    for (const [o, bucket] of [
      [assets, 'marketplace-assets-dev'],
      [solutions, 'marketplace-solutions-dev'],
    ] as const) {
      const fallback = JSON.parse(o.spec.policy);
      expect(fallback.Statement).toHaveLength(1);
      expect(fallback.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      const bindings = bindingsOf(o);
      expect(bindings).toHaveLength(1);
      const [b] = bindings;
      expect(b).toMatchObject({
        path: '/spec/policy',
        from: { apiVersion: 'cloudfront.services.k8s.aws/v1alpha1', kind: 'Distribution', name: 'marketplace-platform-dev-cdn' },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: false,
      });
      expect(b!.template).toContain(VALUE_PLACEHOLDER);
      const doc = JSON.parse(b!.template!.replaceAll(VALUE_PLACEHOLDER, ARN));
      expect(doc.Version).toBe('2012-10-17');
      expect(doc.Statement).toHaveLength(2);
      const deny = doc.Statement.find((s: Manifest) => s.Effect === 'Deny');
      expect(deny).toMatchObject({ Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      expect(deny.Resource).toEqual([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
      const allow = doc.Statement.find((s: Manifest) => s.Effect === 'Allow');
      expect(allow).toEqual({
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': ARN } },
      });
    }
  });

  test('a bucket the CDN does not serve gets the TLS-only policy as a plain field and no binding', () => {
    expect(logs.metadata.annotations[BINDINGS_ANNOTATION]).toBeUndefined();
    const doc = JSON.parse(logs.spec.policy);
    expect(doc.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::marketplace-cdn-logs-dev', 'arn:aws:s3:::marketplace-cdn-logs-dev/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    // Stable key order: sorted at every level.
    expect(logs.spec.policy.indexOf('"Statement"')).toBeLessThan(logs.spec.policy.indexOf('"Version"'));
  });

  crdTest(objs)('every Bucket is valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(logs);
    broken.spec.publicAccessBlock.blockPublicAcls = true;
    const sets = schemaSets().filter((s) => s.has(broken));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('Storage, example 003 (KMS bucket, us-east-1, deletionPolicy Delete)', () => {
  // The trades bucket; the deployments bucket beside it holds the function's archive.
  const objs = render(example('003-trading-platform.yaml', TEAM_A)).filter((o) => o.metadata.name.endsWith('-trades'));

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('KMS encryption with the key ARN through a required binding on the kms Key', () => {
    expect(objs).toHaveLength(1);
    const [trades] = objs;
    expect(trades!.metadata.name).toBe('trading-useast1-bucket-trades');
    expect(trades!.spec.name).toBe('trading-trades-synth2db2r6');
    expect(trades!.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('delete');
    expect(trades!.spec.encryption).toEqual({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }] });
    expect(bindingsOf(trades!)).toEqual([
      {
        path: '/spec/encryption/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyID',
        from: { apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', name: KMS_KEY },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: true,
      },
    ]);
    expect(trades!.spec.versioning).toBeUndefined();
    expect(trades!.spec.lifecycle.rules).toEqual([{ id: 'expire-objects', status: 'Enabled', filter: { prefix: '' }, expiration: { days: 90 } }]);
    // No CDN in 003: the TLS-only policy is a plain field.
    expect(JSON.parse(trades!.spec.policy).Statement).toHaveLength(1);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('Storage, example 004 (us-east-2)', () => {
  // The product-images bucket (the ALB's logs bucket is the next describe's).
  const objs = render(example('004-core-business-unit.yaml', TEAM_A)).filter((o) => o.metadata.name.endsWith('-product-images'));

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('location constraint outside us-east-1, region annotation, owner-enforced files bucket', () => {
    expect(objs).toHaveLength(1);
    const [b] = objs;
    expect(b!.spec.createBucketConfiguration).toEqual({ locationConstraint: 'us-east-2' });
    expect(b!.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-2');
    expect(b!.spec.ownershipControls.rules[0].objectOwnership).toBe('BucketOwnerEnforced');
    expect(b!.spec.lifecycle).toBeUndefined();
    expect(b!.spec.publicAccessBlock.restrictPublicBuckets).toBe(true);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('Storage, KMS bucket not served by the CDN', () => {
  test('carries the KMS key binding (required) and the plain TLS-only policy', () => {
    const objs = render(
      example('002-ecommerce-web.yaml', { ...TEAM_A, patch: (raw) => {
        raw.spec.storage.buckets.push({ name: 'orders', purpose: 'files', encryption: 'KMS' });
      } }),
    );
    const bucket = named(objs, 'Bucket', 'ecommerce-prod123-bucket-orders');
    expect(bindingsOf(bucket).map((b) => [b.path, b.from.kind, b.required])).toEqual([
      ['/spec/encryption/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyID', 'Key', true],
    ]);
    expect(JSON.parse(bucket.spec.policy).Statement).toHaveLength(1);
    expect(crdErrors(objs)).toEqual([]);
  });
});


describe('Storage, the bucket the load balancer logs to (seed 004: ALB access logs, us-east-2)', () => {
  const VPC = 'vpc-under-test';
  const ACCOUNT_ID = '111122223333';
  /** Example 004 with a logs bucket its load balancer writes its access logs to (under `prefix`), in `region`. */
  function withAccessLogs(prefix?: string, region?: string): MarketplaceEnvironment {
    return example('004-core-business-unit.yaml', { ...TEAM_A, patch: (raw) => {
      // The example has the bucket; the prefix varies per case.
      raw.spec.loadBalancer.accessLogs = { bucket: 'alb-logs', ...(prefix ? { prefix } : {}) };
      if (region) {
        raw.spec.region = region;
        raw.spec.network.availabilityZones = [`${region}a`, `${region}b`];
      }
    } });
  }
  const renderWithVpc = (env: MarketplaceEnvironment) =>
    renderWith<LooseObject>(env, (chart, ctx) => new Storage(chart, 'storage', { ctx, spec: env.spec.storage!, kmsKeyName: KMS_KEY, vpcName: VPC }));
  /** The policy the bucket gets once the VPC reports `ACCOUNT_ID`. */
  const resolvedPolicy = (bucket: LooseObject) => JSON.parse(bindingsOf(bucket)[0]!.template!.replaceAll(VALUE_PLACEHOLDER, ACCOUNT_ID));
  const objs = renderWithVpc(withAccessLogs('alb'));
  const logs = named(objs, 'Bucket', 'core-business-dev-bucket-alb-logs');
  const files = objs.find((o) => o !== logs)!;

  test('matches the snapshot', () => {
    expect(logs).toMatchSnapshot();
  });

  test('its whole policy is a required binding on the VPC\'s account id: the bucket is only applied with it', () => {
    expect(bindingsOf(logs)).toEqual([
      {
        path: '/spec/policy',
        from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', name: VPC },
        fieldPath: 'status.ackResourceMetadata.ownerAccountID',
        template: expect.stringContaining(VALUE_PLACEHOLDER),
        required: true,
      },
    ]);
    expect(bindingsOf(files)).toEqual([]);
  });

  test('TLS deny plus the write grant of the region\'s ELB account (us-east-2: 033677994240), under <prefix>/AWSLogs/<account>/ only', () => {
    const doc = resolvedPolicy(logs);
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement).toEqual([
      expect.objectContaining({ Sid: 'DenyInsecureTransport', Effect: 'Deny', Resource: ['arn:aws:s3:::corebiz-alb-logs-dev', 'arn:aws:s3:::corebiz-alb-logs-dev/*'] }),
      {
        Sid: 'AllowELBAccessLogDelivery',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::033677994240:root' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::corebiz-alb-logs-dev/alb/AWSLogs/${ACCOUNT_ID}/*`,
      },
    ]);
    expect(JSON.stringify(doc)).not.toContain(VALUE_PLACEHOLDER);
  });

  test('without a prefix the grant covers AWSLogs/<account>/ at the top of the bucket', () => {
    const bucket = named(renderWithVpc(withAccessLogs()), 'Bucket', 'core-business-dev-bucket-alb-logs');
    expect(resolvedPolicy(bucket).Statement[1].Resource).toBe(`arn:aws:s3:::corebiz-alb-logs-dev/AWSLogs/${ACCOUNT_ID}/*`);
  });

  test.each([
    ['eu-west-1', { AWS: 'arn:aws:iam::156460612806:root' }],
    ['us-west-2', { AWS: 'arn:aws:iam::797873946194:root' }],
    ['us-gov-west-1', { AWS: 'arn:aws-us-gov:iam::048591011584:root' }],
    // Opened after August 2022: the log delivery service principal.
    ['eu-central-2', { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }],
    ['ap-southeast-4', { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }],
  ])('in %s the principal is %j', (region, principal) => {
    const bucket = named(renderWithVpc(withAccessLogs('alb', region)), 'Bucket', 'core-business-dev-bucket-alb-logs');
    expect(resolvedPolicy(bucket).Statement[1].Principal).toEqual(principal);
  });

  test('the rendered policy, never applied while the binding waits, is the TLS-only one; the rest of the bucket is unchanged', () => {
    expect(JSON.parse(logs.spec.policy).Statement.map((s: Manifest) => s.Sid)).toEqual(['DenyInsecureTransport']);
    expect(logs.spec.encryption).toEqual({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
    expect(logs.spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerPreferred' }] });
  });

  test('needs the VPC\'s name: rendering without it fails loudly', () => {
    const env = withAccessLogs();
    expect(() => renderWith(env, (chart, ctx) => new Storage(chart, 'storage', { ctx, spec: env.spec.storage!, kmsKeyName: KMS_KEY }))).toThrow(/accessLogs needs the VPC/);
  });

  crdTest(objs)('valid against the ACK CRDs, with the bound policy too', () => {
    expect(crdErrors(objs)).toEqual([]);
    const bound: LooseObject = { ...logs, spec: { ...logs.spec, policy: JSON.stringify(resolvedPolicy(logs)) } };
    expect(crdErrors([bound])).toEqual([]);
  });
});
