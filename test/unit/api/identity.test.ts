import { toStructural } from '../../../api/crd.js';
import { IdentityOutputsSchema, IdentitySchema } from '../../../api/identity.js';
import { validateEnvironment } from '../../../api/index.js';
import type { CelRule } from '../../../api/schema-kit.js';
import { INVALID_CASES, invalidManifest, validApplicationBase, validIdentityBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { fieldsOf } from '../helpers/spec-fields.js';

const valid = () => validIdentityBase();

/** spec.identity of the application base given `identity` (nothing reads its clients there), defaulted. */
const defaulted = (identity: Manifest) => validateEnvironment({ ...validApplicationBase(), spec: { ...validApplicationBase().spec, identity } }).spec.identity;

describe('spec.identity: defaults and what it accepts', () => {
  it('defaults an empty section to a pool signing in by email, with a 12-character policy, verified email, protected, and no client', () => {
    expect(defaulted({})).toEqual({
      userPool: {
        signInAttributes: ['email'],
        passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7 },
        mfa: 'OFF',
        emailVerification: true,
        deletionProtection: true,
      },
      clients: [],
    });
  });

  it('defaults a client to a public client signing in through SRP, without OAuth, with AWS\'s token lifetimes', () => {
    expect(defaulted({ clients: [{ name: 'app' }] })?.clients).toEqual([
      {
        name: 'app',
        generateSecret: false,
        oauthFlows: [],
        oauthScopes: [],
        callbackURLs: [],
        logoutURLs: [],
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        accessTokenValidityMinutes: 60,
        idTokenValidityMinutes: 60,
        refreshTokenValidityDays: 30,
      },
    ]);
  });

  it('accepts the base: a confidential code client, a public one on localhost too, a machine client with a custom scope', () => {
    expect(fieldsOf(valid())).toEqual([]);
  });

  it('accepts user names with email and phone aliases, implicit with code, every standard scope, a URL with a port and a query', () => {
    const m = valid();
    m.spec.identity.userPool = { signInAttributes: ['username', 'email', 'phone'], emailVerification: false, deletionProtection: false, passwordPolicy: { minimumLength: 99, requireSymbols: false } };
    Object.assign(m.spec.identity.clients[1], {
      oauthFlows: ['code', 'implicit'],
      oauthScopes: ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin', 'orders/read'],
      callbackURLs: ['https://shop.example.com:8443/cb?source=spa', 'http://localhost/cb', 'http://localhost:8080'],
      logoutURLs: ['https://shop.example.com'],
      explicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      accessTokenValidityMinutes: 5,
      idTokenValidityMinutes: 1440,
      refreshTokenValidityDays: 3650,
    });
    expect(fieldsOf(m)).toEqual([]);
  });
});

describe('spec.identity: invalid input names the field (the cases of test/fixtures/invalid-specs.ts)', () => {
  const cases = INVALID_CASES.filter((c) => c.identity);

  it('has a case per bound and rule of the section and of what reads it, each naming a field of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect(c.field).toMatch(/^spec\.(identity\.|secrets|compute\.containers\.environment)/);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    // Only that field: the case breaks nothing else.
    expect([...new Set(fieldsOf(invalidManifest(c)))]).toEqual([c.field]);
  });

  it.each(INVALID_CASES.filter((c) => !c.identity && c.name.includes('without spec.identity')).map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(fieldsOf(invalidManifest(c))).toEqual([c.field]);
  });
});

describe('spec.identity in the CRD', () => {
  const structural = toStructural(JSON.parse(JSON.stringify(IdentitySchema))) as Manifest;
  const client = structural.properties.clients.items;

  it('keys the clients by name, which is required (a list-map key must be)', () => {
    expect(structural.properties.clients['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(client.required).toEqual(['name']);
  });

  it('makes the sign-in attributes immutable with a transition rule (checked by the API server only)', () => {
    const attributes = structural.properties.userPool.properties.signInAttributes;
    expect(attributes['x-kubernetes-validations']).toEqual([expect.objectContaining({ rule: 'self == oldSelf' })]);
  });

  it('lists OAuth flows, scopes, URLs and auth flows as sets', () => {
    for (const field of ['oauthFlows', 'oauthScopes', 'callbackURLs', 'logoutURLs', 'explicitAuthFlows']) expect([field, client.properties[field]['x-kubernetes-list-type']]).toEqual([field, 'set']);
  });

  it('names a field in every rule of a client and of the pool', () => {
    const rules = [...(client['x-kubernetes-validations'] as CelRule[]), ...(structural.properties.userPool['x-kubernetes-validations'] as CelRule[])];
    expect(rules).toHaveLength(11);
    for (const rule of rules) expect([rule.message, rule.fieldPath?.startsWith('.')]).toEqual([rule.message, true]);
  });

  it('describes the outputs: pool id, ARN, token issuer, clients', () => {
    expect(Object.keys(IdentityOutputsSchema.properties)).toEqual(['userPoolID', 'userPoolARN', 'issuerURL', 'clients']);
    expect(Object.keys(IdentityOutputsSchema.properties.clients.items.properties)).toEqual(['name', 'clientID', 'secretName']);
  });
});
