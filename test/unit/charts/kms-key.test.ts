import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { KmsKey } from '../../../charts/constructs/kms-key.js';
import type { RenderedObject } from '../../../charts/render.js';
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
