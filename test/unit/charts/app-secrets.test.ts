import type { MarketplaceEnvironment } from '../../../api/index.js';
import { AppSecrets } from '../../../charts/constructs/app-secrets.js';
import type { RenderedObject } from '../../../charts/render.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, named, renderWith } from '../helpers/render-construct.js';

/** Every example is rendered into namespace `shop`. */
const SHOP = { namespace: 'shop' };

/** Renders only the AppSecrets of `env`. */
function render(env: MarketplaceEnvironment): RenderedObject[] {
  return renderWith(env, (chart, ctx) => {
    new AppSecrets(chart, 'secrets', { ctx, secrets: env.spec.secrets, kmsKeyName: ctx.names.k8s('kms') });
  });
}

const sets = schemaSets();
const GENERATED = 'marketplace.platform.dev/generated-secrets';
const BINDINGS = 'marketplace.platform.dev/bindings';

describe('AppSecrets, one generated secret (seed 002: deletionPolicy Delete)', () => {
  const objects = render(example('002', SHOP));
  const secret = named(objects, 'Secret', 'ecommerce-prod123-secret-app-config');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(sets.length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders one secretsmanager Secret named <project>/<environmentSuffix>/<name>', () => {
    expect(objects).toHaveLength(1);
    expect(secret.apiVersion).toBe('secretsmanager.services.k8s.aws/v1alpha1');
    expect(secret.metadata.namespace).toBe('shop');
    expect(secret.spec).toMatchObject({
      name: 'ecommerce/prod123/app-config',
      description: 'Application configuration secret for the web tier',
      kmsKeyRef: { from: { name: 'ecommerce-prod123-kms' } },
    });
    expect(secret.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'marketplace-operator',
      'app.kubernetes.io/part-of': 'ecommerce',
      'app.kubernetes.io/component': 'secrets',
      'marketplace.platform.dev/environment': 'ecommerce-prod123',
    });
  });

  it('reads the value from a Kubernetes Secret the controller generates first', () => {
    expect(secret.spec?.secretString).toEqual({ name: 'ecommerce-prod123-secret-app-config', key: 'value' });
    expect(JSON.parse(secret.metadata.annotations[GENERATED]!)).toEqual([{ name: 'ecommerce-prod123-secret-app-config', key: 'value', length: 48 }]);
  });

  it('is data-bearing and tagged with RotationDays', () => {
    expect(secret.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('delete');
    expect(secret.spec?.tags).toContainEqual({ key: 'RotationDays', value: '30' });
    expect(secret.spec?.tags).toContainEqual({ key: 'Name', value: 'ecommerce/prod123/app-config' });
    expect(secret.spec?.tags).toContainEqual({ key: 'Project', value: 'ecommerce' });
  });
});

describe('AppSecrets, existing and generated secrets (seed 004: deletionPolicy Retain)', () => {
  const env = example('004', { ...SHOP, patch: ({ spec }) => {
    spec.secrets[0] = { ...spec.secrets[0], source: 'Existing', existingSecret: { name: 'jwt-keys', key: 'signing.pem' } };
    spec.secrets.push({ name: 'plain' });
    spec.tags.additional.RotationDays = 'user-set';
  } });
  const objects = render(env);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders one Secret per entry under deterministic names, all retained', () => {
    expect(objects.map((o) => [o.metadata.name, o.spec?.name])).toEqual([
      ['core-business-dev-secret-jwt-signing-key', 'corebiz/dev/jwt-signing-key'],
      ['core-business-dev-secret-cognito-client', 'corebiz/dev/cognito-client'],
      ['core-business-dev-secret-plain', 'corebiz/dev/plain'],
    ]);
    for (const o of objects) expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });

  it('reads an Existing secret from the user Secret and generates nothing for it', () => {
    const jwt = named(objects, 'Secret', 'core-business-dev-secret-jwt-signing-key');
    expect(jwt.spec?.secretString).toEqual({ name: 'jwt-keys', key: 'signing.pem' });
    expect(jwt.metadata.annotations).not.toHaveProperty([GENERATED]);
    const plain = named(objects, 'Secret', 'core-business-dev-secret-plain');
    expect(plain.spec?.secretString).toEqual({ name: 'core-business-dev-secret-plain', key: 'value' });
    expect(JSON.parse(plain.metadata.annotations[GENERATED]!)).toEqual([{ name: 'core-business-dev-secret-plain', key: 'value', length: 48 }]);
  });

  it('reads a CognitoClient secret from the Secret the operator writes for the client, held back until the client exists', () => {
    const cognito = named(objects, 'Secret', 'core-business-dev-secret-cognito-client');
    expect(cognito.spec?.secretString).toEqual({ name: 'core-business-dev-cognito-api', key: 'clientSecret' });
    expect(cognito.metadata.annotations).not.toHaveProperty([GENERATED]);
    // The client id appears in the environment's outputs in the pass that writes the client's Secret.
    expect(JSON.parse(cognito.metadata.annotations[BINDINGS]!)).toEqual([
      {
        path: '/spec/description',
        from: { apiVersion: 'marketplace.platform.dev/v1alpha1', kind: 'MarketplaceEnvironment', name: 'core-business-dev' },
        fieldPath: 'status.outputs.identity.clients.0.clientID',
        template: 'Cognito app client secret',
        required: true,
      },
    ]);
    expect(cognito.spec?.description).toBe('Cognito app client secret');
    for (const name of ['core-business-dev-secret-jwt-signing-key', 'core-business-dev-secret-plain']) expect(named(objects, 'Secret', name).metadata.annotations).not.toHaveProperty([BINDINGS]);
  });

  it('keeps exactly one RotationDays tag, from the secret, even if the additional tags set one', () => {
    const jwt = named(objects, 'Secret', 'core-business-dev-secret-jwt-signing-key');
    const rotation = (jwt.spec?.tags as { key: string; value: string }[]).filter((t) => t.key === 'RotationDays');
    expect(rotation).toEqual([{ key: 'RotationDays', value: '90' }]);
    expect(named(objects, 'Secret', 'core-business-dev-secret-plain').spec?.tags).toContainEqual({ key: 'RotationDays', value: '30' });
  });

  it('falls back to a fixed description when the spec leaves it empty', () => {
    expect(named(objects, 'Secret', 'core-business-dev-secret-plain').spec?.description).toBe('corebiz-dev: application secret plain');
  });
});

describe('AppSecrets, no secrets', () => {
  it('renders nothing', () => {
    expect(render(example('000', SHOP))).toEqual([]);
  });
});
