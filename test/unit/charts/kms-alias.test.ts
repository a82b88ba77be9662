import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { KmsAlias } from '../../../charts/constructs/kms-alias.js';
import { KmsKey } from '../../../charts/constructs/kms-key.js';
import { EnvironmentContext } from '../../../charts/context.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { computeOutputs } from '../../../controllers/marketplace-environment/outputs.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { named, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The serverless base (project shop, suffix test, us-east-1, alias on), edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders the environment key and its alias. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    const key = new KmsKey(chart, 'kms', { ctx });
    new KmsAlias(chart, 'kms-alias', { ctx, kmsKeyName: key.name });
  });
}

describe('KmsAlias (serverless base)', () => {
  const e = env();
  const objects = render(e);
  const alias = only(objects, 'Alias');

  it('matches the snapshot', () => {
    expect(alias).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('names the key alias/<project>-<region>-<suffix> and points at the environment key by reference', () => {
    expect(alias.metadata.name).toBe(KmsAlias.resourceName(new EnvironmentContext(e)));
    expect(alias.metadata.name).toBe('shop-kms-alias');
    expect(alias.spec).toEqual({ name: 'alias/shop-us-east-1-test', targetKeyRef: { from: { name: 'shop-kms' } } });
    expect(named(objects, 'Key', 'shop-kms').kind).toBe('Key');
  });

  it('belongs to the encryption component, in the environment region, and is not retained with the key', () => {
    expect(alias.metadata.labels['app.kubernetes.io/component']).toBe('encryption');
    expect(alias.metadata.annotations['services.k8s.aws/region']).toBe('us-east-1');
    expect(alias.metadata.annotations['services.k8s.aws/deletion-policy']).toBeUndefined();
  });

  it('declares the alias name an output, known as soon as the alias exists', () => {
    expect(JSON.parse(alias.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([{ output: '/kmsAliasName', value: 'alias/shop-us-east-1-test' }]);
    const live = new Map([[`${alias.apiVersion}/${alias.kind}/${alias.metadata.name}`, alias]]);
    expect(computeOutputs([alias], live)).toEqual({ kmsAliasName: 'alias/shop-us-east-1-test' });
  });

  it.each([
    ['us-east-2', 'synth-use2', 'alias/shop-us-east-2-synth-use2'],
    ['us-west-2', 'synth-usw2', 'alias/shop-us-west-2-synth-usw2'],
  ])('names the copy in %s (suffix %s) %s', (region, suffix, name) => {
    const objects = render(
      env((m) => {
        m.spec.region = region;
        m.spec.environmentSuffix = suffix;
        m.spec.network.availabilityZones = [`${region}a`, `${region}b`];
      }),
    );
    expect(only(objects, 'Alias').spec.name).toBe(name);
    expect(only(objects, 'Alias').metadata.annotations['services.k8s.aws/region']).toBe(region);
  });
});
