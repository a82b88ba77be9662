import { CLIENT_AUTH_FLOWS, CLIENT_OAUTH_FLOWS, type IdentitySpec } from '../../../api/identity.js';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { AWS_GAPS_ANNOTATION, DEFAULT_EXPLICIT_AUTH_FLOWS, DEFAULT_TOKEN_VALIDITY, EXPLICIT_AUTH_FLOWS, OAUTH_FLOWS, type CognitoUserPoolClient } from '../../../charts/aws-gaps.js';
import { DELETION_POLICY_ANNOTATION, EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { signIn, UserPool } from '../../../charts/constructs/user-pool.js';
import { COMPONENT_LABEL } from '../../../charts/naming.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { declarationsOf } from '../../../controllers/aws-gaps/declarations.js';
import { objectKey } from '../../../controllers/marketplace-environment/child-kinds.js';
import { computeOutputs, type LiveChild } from '../../../controllers/marketplace-environment/outputs.js';
import { validIdentityBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const COGNITO = 'cognitoidentityprovider.services.k8s.aws/v1alpha1';
const POOL_REF = { apiVersion: COGNITO, kind: 'UserPool', name: 'shop-users' };

/**
 * The identity base (clients web, spa, worker), edited, in namespace team-a, validated and defaulted. Without what
 * reads web (a secret, two variables: their constructs' tests), so that an edit may replace the clients.
 */
function environment(edit: (m: Manifest) => void = () => undefined): { env: MarketplaceEnvironment; identity: IdentitySpec } {
  const m = validIdentityBase('shop');
  m.metadata.namespace = 'team-a';
  const containers = m.spec.compute.containers;
  m.spec.secrets = m.spec.secrets.filter((s: Manifest) => s.source !== 'CognitoClient');
  containers.environment = containers.environment.filter((e: Manifest) => !e.fromOutput?.startsWith('cognito'));
  containers.secrets = containers.secrets.filter((e: Manifest) => e.name !== 'COGNITO_CLIENT_SECRET');
  edit(m);
  const env = validateEnvironment(m);
  if (!env.spec.identity) throw new Error('the identity base has spec.identity');
  return { env, identity: env.spec.identity };
}

/** The UserPool construct as the environment chart wires it. */
function render(edit?: (m: Manifest) => void): LooseObject[] {
  const { env, identity } = environment(edit);
  return renderWith<LooseObject>(env, (chart, ctx) => new UserPool(chart, 'identity', { ctx, spec: identity }));
}

const declarationsIn = (o: LooseObject) => JSON.parse(o.metadata.annotations[AWS_GAPS_ANNOTATION] ?? '[]') as CognitoUserPoolClient[];
const outputsOf = (o: LooseObject) => JSON.parse(o.metadata.annotations[OUTPUTS_ANNOTATION] ?? '[]') as unknown[];

describe('UserPool: a pool signing in by email, with a confidential, a public and a machine client', () => {
  const objects = render();
  const pool = only(objects, 'UserPool');
  const clients = declarationsIn(pool);

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every schema set of the UserPool CRD (closed schemas: no field the controller lacks)', () => {
    expect(schemaSets().length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
    // The check can fail: a field of a later controller (software token MFA) is refused.
    const later = { ...pool, spec: { ...pool.spec, softwareTokenMfaConfiguration: { enabled: true } } };
    expect(crdErrors([later]).join('\n')).toContain('softwareTokenMfaConfiguration');
  });

  test('renders one UserPool, named <project>-users-<suffix> in Cognito, in the identity component and the region', () => {
    expect(objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([`${COGNITO}/UserPool/shop-users`]);
    expect(pool.spec.name).toBe('shop-users-test');
    expect(pool.metadata.labels[COMPONENT_LABEL]).toBe('identity');
    expect(pool.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
    expect(pool.metadata.namespace).toBe('team-a');
  });

  test('sets the pool as the spec says: email as user name, case-insensitive, the password policy, MFA off, verified email, protection', () => {
    expect(pool.spec).toEqual({
      name: 'shop-users-test',
      usernameAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      policies: { passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7 } },
      mfaConfiguration: 'OFF',
      autoVerifiedAttributes: ['email'],
      accountRecoverySetting: { recoveryMechanisms: [{ name: 'verified_email', priority: 1 }] },
      deletionProtection: 'ACTIVE',
      tags: expect.any(Object),
    });
  });

  test('tags the pool with the environment\'s tags as a map, in tags only (the field ACK\'s tagging manages)', () => {
    expect(pool.spec.tags).toEqual({
      Environment: 'test',
      ManagedBy: 'marketplace-operator',
      Name: 'shop-users-test',
      Owner: 'platform',
      Project: 'shop',
      'marketplace.platform.dev/environment': 'team-a/shop',
    });
    expect(pool.spec.userPoolTags).toBeUndefined();
  });

  test('is data-bearing: retained with spec.deletionPolicy Retain, deleted with Delete', () => {
    expect(pool.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('retain');
    const deleted = only(render((m) => { m.spec.deletionPolicy = 'Delete'; }), 'UserPool');
    expect(deleted.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('delete');
  });

  test('declares one CognitoUserPoolClient per client, in spec order, waiting for the pool\'s id', () => {
    expect(clients.map((c) => [c.type, c.name, c.clientName])).toEqual([
      ['CognitoUserPoolClient', 'shop-users-client-web', 'shop-web-test'],
      ['CognitoUserPoolClient', 'shop-users-client-spa', 'shop-spa-test'],
      ['CognitoUserPoolClient', 'shop-users-client-worker', 'shop-worker-test'],
    ]);
    for (const client of clients) expect(client.userPoolID).toEqual({ from: POOL_REF, fieldPath: 'status.id' });
    expect(clients.map((c) => c.clientIDOutput)).toEqual([0, 1, 2].map((i) => `/identity/clients/${i}/clientID`));
  });

  test('declares the confidential code client with every setting, the hosted pages\' provider and its Secret', () => {
    expect(clients[0]).toEqual({
      type: 'CognitoUserPoolClient',
      name: 'shop-users-client-web',
      userPoolID: { from: POOL_REF, fieldPath: 'status.id' },
      clientName: 'shop-web-test',
      generateSecret: true,
      allowedOAuthFlows: ['code'],
      allowedOAuthScopes: ['openid', 'email'],
      callbackURLs: ['https://shop.example.com/callback'],
      logoutURLs: ['https://shop.example.com/'],
      supportedIdentityProviders: ['COGNITO'],
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      accessTokenValidityMinutes: 60,
      idTokenValidityMinutes: 60,
      refreshTokenValidityDays: 30,
      clientIDOutput: '/identity/clients/0/clientID',
      secretName: 'shop-cognito-web',
    });
  });

  test('names a Secret only for clients with generateSecret', () => {
    expect(clients.map((c) => c.secretName)).toEqual(['shop-cognito-web', undefined, 'shop-cognito-worker']);
    expect(clients.map((c) => c.generateSecret)).toEqual([true, false, true]);
    const ctx = new EnvironmentContext(environment().env);
    expect(UserPool.clientSecretName(ctx, 'web')).toBe(clients[0]!.secretName);
  });

  test('gives the machine client its flow and custom scope, and neither redirect URLs nor an identity provider', () => {
    const worker = clients[2]!;
    expect(worker).toMatchObject({ allowedOAuthFlows: ['client_credentials'], allowedOAuthScopes: ['https://api.shop.example.com/orders.read'], explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'] });
    expect([worker.callbackURLs, worker.logoutURLs, worker.supportedIdentityProviders]).toEqual([undefined, undefined, undefined]);
  });

  test('declares nothing of OAuth for a client without flows (OAuth stays off), and no logout URL where none is given', () => {
    const [app] = declarationsIn(only(render((m) => { m.spec.identity.clients = [{ name: 'app' }]; }), 'UserPool'));
    expect(Object.keys(app!).sort()).toEqual(
      ['type', 'name', 'userPoolID', 'clientName', 'generateSecret', 'explicitAuthFlows', 'accessTokenValidityMinutes', 'idTokenValidityMinutes', 'refreshTokenValidityDays', 'clientIDOutput'].sort(),
    );
    expect(clients[1]!.logoutURLs).toBeUndefined();
  });

  test('writes declarations the controller reads as valid', () => {
    const read = declarationsOf(pool);
    expect(read.invalid).toBeUndefined();
    expect(read.gaps).toHaveLength(3);
  });

  test('declares the outputs: pool id, ARN and token issuer from the pool, each client\'s name and Secret', () => {
    expect(outputsOf(pool)).toEqual([
      { output: '/identity/userPoolID', fieldPath: 'status.id' },
      { output: '/identity/userPoolARN', fieldPath: 'status.ackResourceMetadata.arn' },
      { output: '/identity/issuerURL', fieldPath: 'status.id', template: 'https://cognito-idp.us-east-1.amazonaws.com/{{value}}' },
      { output: '/identity/clients/0/name', value: 'web' },
      { output: '/identity/clients/0/secretName', value: 'shop-cognito-web' },
      { output: '/identity/clients/1/name', value: 'spa' },
      { output: '/identity/clients/2/name', value: 'worker' },
      { output: '/identity/clients/2/secretName', value: 'shop-cognito-worker' },
    ]);
  });

  test('becomes status.outputs.identity once the pool is live, with the client ids the operator reports', () => {
    const live = new Map<string, LiveChild>([
      [objectKey(pool), { ...pool, status: { id: 'us-east-1_AbCdEf123', ackResourceMetadata: { arn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123' } } } as LiveChild],
    ]);
    const generated = [
      { output: '/identity/clients/0/clientID', value: '1example23456789' },
      { output: '/identity/clients/2/clientID', value: '2example34567890' },
    ];
    expect((computeOutputs(objects, live, generated) as Record<string, unknown>).identity).toEqual({
      userPoolID: 'us-east-1_AbCdEf123',
      userPoolARN: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123',
      issuerURL: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
      clients: [
        { name: 'web', clientID: '1example23456789', secretName: 'shop-cognito-web' },
        { name: 'spa' },
        { name: 'worker', clientID: '2example34567890', secretName: 'shop-cognito-worker' },
      ],
    });
  });
});

describe('UserPool: the other settings', () => {
  test('maps the sign-in choice to user name attributes, or to aliases of a user name, in Cognito\'s order', () => {
    expect(signIn(['email'])).toEqual({ usernameAttributes: ['email'] });
    expect(signIn(['phone', 'email'])).toEqual({ usernameAttributes: ['email', 'phone_number'] });
    expect(signIn(['username'])).toEqual({});
    expect(signIn(['phone', 'username'])).toEqual({ aliasAttributes: ['phone_number'] });
    expect(signIn(['username', 'phone', 'email'])).toEqual({ aliasAttributes: ['email', 'phone_number'] });
  });

  test('renders aliases, the password policy, no verification (admin-only recovery) and no protection as given', () => {
    const pool = only(
      render((m) => {
        m.spec.identity.userPool = { signInAttributes: ['username', 'email'], passwordPolicy: { minimumLength: 16, requireSymbols: false, temporaryPasswordValidityDays: 3 }, emailVerification: false, deletionProtection: false };
      }),
      'UserPool',
    );
    expect(pool.spec).toMatchObject({
      aliasAttributes: ['email'],
      policies: { passwordPolicy: { minimumLength: 16, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: false, temporaryPasswordValidityDays: 3 } },
      accountRecoverySetting: { recoveryMechanisms: [{ name: 'admin_only', priority: 1 }] },
      deletionProtection: 'INACTIVE',
    });
    expect([pool.spec.usernameAttributes, pool.spec.autoVerifiedAttributes]).toEqual([undefined, undefined]);
    expect(crdErrors([pool])).toEqual([]);
  });

  test('declares no client and outputs no client without clients', () => {
    const pool = only(render((m) => { m.spec.identity.clients = []; }), 'UserPool');
    expect(pool.metadata.annotations[AWS_GAPS_ANNOTATION]).toBeUndefined();
    expect(outputsOf(pool)).toHaveLength(3);
  });

  test('refuses MFA it cannot turn on when a spec bypassed the CRD\'s rule', () => {
    const { env, identity } = environment();
    const on = { ...identity, userPool: { ...identity.userPool, mfa: 'ON' as const } };
    expect(() => renderWith(env, (chart, ctx) => new UserPool(chart, 'identity', { ctx, spec: on }))).toThrow(/mfa ON is not supported/);
  });

  test('reads a client\'s id from the environment\'s own outputs, at the client\'s index', () => {
    const { env, identity } = environment();
    const ctx = new EnvironmentContext(env);
    expect(UserPool.clientIDSource(ctx, identity, 'spa')).toEqual({
      from: { apiVersion: 'marketplace.platform.dev/v1alpha1', kind: 'MarketplaceEnvironment', name: 'shop' },
      fieldPath: 'status.outputs.identity.clients.1.clientID',
    });
    expect(() => UserPool.clientIDSource(ctx, identity, 'mobile')).toThrow(/no client mobile/);
  });

  test('offers exactly the flows and defaults the operator\'s client declaration knows', () => {
    expect([...CLIENT_OAUTH_FLOWS]).toEqual([...OAUTH_FLOWS]);
    expect([...CLIENT_AUTH_FLOWS]).toEqual([...EXPLICIT_AUTH_FLOWS]);
    const [app] = environment((m) => { m.spec.identity.clients = [{ name: 'app' }]; }).identity.clients;
    expect(app!.explicitAuthFlows).toEqual([...DEFAULT_EXPLICIT_AUTH_FLOWS]);
    expect([app!.accessTokenValidityMinutes, app!.idTokenValidityMinutes, app!.refreshTokenValidityDays]).toEqual([
      DEFAULT_TOKEN_VALIDITY.accessTokenMinutes,
      DEFAULT_TOKEN_VALIDITY.idTokenMinutes,
      DEFAULT_TOKEN_VALIDITY.refreshTokenDays,
    ]);
  });
});
