import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, VALUE_PLACEHOLDER } from '../../../charts/bindings.js';
import { KEY_POLICY_PATH, KmsKey, logsKeyPolicy } from '../../../charts/constructs/kms-key.js';
import type { RenderedObject } from '../../../charts/render.js';
import { bindingsOf, resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, renderWith } from '../helpers/render-construct.js';

type Json = Manifest;

/** Every example is rendered into namespace `shop`. */
const SHOP = { namespace: 'shop' };

/** Renders only the KmsKey of `env`; returns the objects and the construct. */
function render(env: MarketplaceEnvironment): { objects: RenderedObject[]; key: KmsKey } {
  let key: KmsKey | undefined;
  const objects = renderWith(env, (chart, ctx) => {
    key = new KmsKey(chart, 'kms', { ctx });
  });
  return { objects, key: key! };
}

const sets = schemaSets();

/** Renders the KmsKey of `env` as the chart does, with the VPC the key policy reads the account id from. */
function renderWithVpc(env: MarketplaceEnvironment): RenderedObject[] {
  return renderWith(env, (chart, ctx) => {
    new KmsKey(chart, 'kms', { ctx, vpcName: 'vpc-under-test' });
  });
}

/** Example `key` with spec.encryption.logs on. */
const withLogs = (key: string) => example(key, { ...SHOP, patch: (raw) => (raw.spec.encryption = { ...raw.spec.encryption, logs: true }) });

describe('KmsKey (seed 000: deletionPolicy Delete, encryption defaulted)', () => {
  const { objects, key } = render(example('000', SHOP));
  const [obj] = objects;

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(sets.length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders exactly one kms Key under the deterministic name the construct exposes', () => {
    expect(objects).toHaveLength(1);
    expect(obj).toMatchObject({ apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', metadata: { name: 'marketplace-three-tier-kms', namespace: 'shop' } });
    expect(key.name).toBe('marketplace-three-tier-kms');
  });

  it('labels the key with the environment and the encryption component', () => {
    expect(obj!.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'marketplace-operator',
      'app.kubernetes.io/part-of': 'marketplace',
      'app.kubernetes.io/component': 'encryption',
      'marketplace.platform.dev/environment': 'marketplace-three-tier',
    });
  });

  it('is data-bearing with the default 30-day pending window and yearly rotation, and declares its ARN an output', () => {
    expect(obj!.metadata.annotations).toEqual({
      'services.k8s.aws/region': 'us-east-1',
      'services.k8s.aws/deletion-policy': 'delete',
      'kms.services.k8s.aws/pending-window-in-days': '30',
      'marketplace.platform.dev/outputs': JSON.stringify([{ output: '/kmsKeyARN', fieldPath: 'status.ackResourceMetadata.arn' }]),
    });
    expect(obj!.spec?.enableKeyRotation).toBe(true);
  });

  it('names the environment in its description', () => {
    expect(obj!.spec?.description).toContain('marketplace-prod');
  });

  it('uses the kms tag shape {tagKey, tagValue}, converted from the environment tags', () => {
    const tags = obj!.spec?.tags as Json[];
    for (const tag of tags) expect(Object.keys(tag).sort()).toEqual(['tagKey', 'tagValue']);
    expect(tags).toEqual([
      { tagKey: 'Environment', tagValue: 'production' },
      { tagKey: 'ManagedBy', tagValue: 'marketplace-operator' },
      { tagKey: 'marketplace.platform.dev/environment', tagValue: 'shop/marketplace-three-tier' },
      { tagKey: 'Name', tagValue: 'marketplace-kms-prod' },
      { tagKey: 'Owner', tagValue: 'marketplace-platform' },
      { tagKey: 'Project', tagValue: 'marketplace' },
    ]);
  });
});

describe('KmsKey, encryption settings and deletion policy', () => {
  it('takes the pending window from the spec (seed 003: 7 days)', () => {
    const [obj] = render(example('003', SHOP)).objects;
    expect(obj!.metadata.annotations['kms.services.k8s.aws/pending-window-in-days']).toBe('7');
  });

  it('turns rotation off when keyRotation is false', () => {
    const { objects } = render(example('003', { ...SHOP, patch: (raw) => (raw.spec.encryption.keyRotation = false) }));
    expect(objects[0]!.spec?.enableKeyRotation).toBe(false);
    expect(crdErrors(objects)).toEqual([]);
  });

  it('retains the key under deletionPolicy Retain (seed 004), with additional tags converted too', () => {
    const { objects } = render(example('004', SHOP));
    expect(objects).toMatchSnapshot();
    expect(objects[0]!.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(objects[0]!.spec?.tags).toContainEqual({ tagKey: 'Account', tagValue: 'shared-development' });
  });

  it('points ownerReferences at the environment when it has a uid', () => {
    const { objects } = render(example('004', { ...SHOP, patch: (raw) => (raw.metadata.uid = '0000-1111') }));
    expect(objects[0]!.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'MarketplaceEnvironment', name: 'core-business-dev', uid: '0000-1111', controller: true }),
    ]);
  });
});

describe('KmsKey with encryption.logs (seed 001: CloudWatch logs encrypted at rest)', () => {
  const ACCOUNT_ID = '111122223333';
  const objects = renderWithVpc(withLogs('001'));
  const [obj] = objects;
  const vpc = (account?: string) => (_apiVersion: string, kind: string, name: string) =>
    kind === 'VPC' && name === 'vpc-under-test' && account ? { status: { ackResourceMetadata: { ownerAccountID: account } } } : undefined;
  const policyOf = (o: RenderedObject) => JSON.parse(resolveBindings(o, vpc(ACCOUNT_ID)).object.spec!.policy as string);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders no policy itself: the whole key policy is a required binding on the VPC\'s account id', () => {
    expect(obj!.spec?.policy).toBeUndefined();
    expect(bindingsOf(obj!)).toEqual([
      {
        path: KEY_POLICY_PATH,
        from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', name: 'vpc-under-test' },
        fieldPath: 'status.ackResourceMetadata.ownerAccountID',
        template: logsKeyPolicy('us-east-1'),
        required: true,
      },
    ]);
  });

  it('is held back until the VPC reports the account, so it is created with its final policy', () => {
    expect(resolveBindings(obj!, vpc()).waitingFor.map((b) => `${b.from.kind}/${b.from.name}`)).toEqual(['VPC/vpc-under-test']);
    expect(resolveBindings(obj!, vpc(ACCOUNT_ID)).waitingFor).toEqual([]);
  });

  it('keeps the default policy\'s root statement and lets CloudWatch Logs of the region use the key for the account\'s log groups only', () => {
    const doc = policyOf(obj!);
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement).toEqual([
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'AllowCloudWatchLogs',
        Effect: 'Allow',
        Principal: { Service: 'logs.us-east-1.amazonaws.com' },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${ACCOUNT_ID}:*` } },
      },
    ]);
    expect(JSON.stringify(doc)).not.toContain(VALUE_PLACEHOLDER);
  });

  it('names the partition and the service of other regions (GovCloud, China)', () => {
    const gov = JSON.parse(logsKeyPolicy('us-gov-west-1').replaceAll(VALUE_PLACEHOLDER, ACCOUNT_ID));
    expect(gov.Statement[0].Principal).toEqual({ AWS: `arn:aws-us-gov:iam::${ACCOUNT_ID}:root` });
    expect(gov.Statement[1].Principal).toEqual({ Service: 'logs.us-gov-west-1.amazonaws.com' });
    const cn = JSON.parse(logsKeyPolicy('cn-north-1').replaceAll(VALUE_PLACEHOLDER, ACCOUNT_ID));
    expect(cn.Statement[1]).toMatchObject({ Principal: { Service: 'logs.cn-north-1.amazonaws.com.cn' }, Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws-cn:logs:cn-north-1:${ACCOUNT_ID}:*` } } });
  });

  it('changes nothing else on the key', () => {
    const [plain] = renderWithVpc(example('001', { ...SHOP, patch: ({ spec }: Manifest) => void (spec.encryption.logs = false) }));
    expect(bindingsOf(plain!)).toEqual([]);
    const { [BINDINGS_ANNOTATION]: _bindings, ...annotations } = obj!.metadata.annotations;
    expect({ ...obj, metadata: { ...obj!.metadata, annotations } }).toEqual(plain);
  });

  it('needs the VPC\'s name: rendering without it fails loudly', () => {
    expect(() => render(withLogs('001'))).toThrow(/encryption.logs needs the VPC/);
  });

  crdTest(objects)('valid against the ACK CRDs, with the bound policy too', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors([resolveBindings(obj!, vpc(ACCOUNT_ID)).object])).toEqual([]);
  });
});
