/**
 * `spec.identity`: who may use the application. A Cognito user pool (how users sign in, the password policy, MFA,
 * email verification, deletion protection) and its app clients (OAuth flows, callback URLs, token lifetimes, a client
 * secret or not). The cognitoidentityprovider-controller has the UserPool kind only: the operator creates the app
 * clients itself through the AWS API (docs/aws-gaps.md, CognitoUserPoolClient), so the client id and secret are values
 * AWS generates. The id becomes an output; the secret lands in a Kubernetes Secret, never in the status.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type CelRule } from './schema-kit.js';

/** How users name themselves when signing in: an email address, a phone number, a user name of their choice. */
export const SIGN_IN_ATTRIBUTES = ['email', 'phone', 'username'] as const;
/** MFA settings of a user pool. */
export const MFA_MODES = ['OFF', 'OPTIONAL', 'ON'] as const;
/** OAuth 2.0 grants an app client may allow (those of charts/aws-gaps.ts OAUTH_FLOWS). */
export const CLIENT_OAUTH_FLOWS = ['code', 'implicit', 'client_credentials'] as const;
/** Sign-in flows of the Cognito API an app client may allow (those of charts/aws-gaps.ts EXPLICIT_AUTH_FLOWS). */
export const CLIENT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_USER_AUTH'] as const;
/** The OpenID Connect scopes Cognito defines (besides custom `<resource server>/<scope>` ones). */
export const STANDARD_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'] as const;

/** Scopes only an OpenID Connect request with `openid` may ask for. */
const OPENID_SCOPES = ['email', 'phone', 'profile'];

// Cognito's ScopeType characters (printable ASCII but space, " and \): the standard scopes, or <resource server>/<scope>.
const SCOPE_CHARS = '[!#-\\[\\]-~]+';
const SCOPE_PATTERN = `^(${STANDARD_SCOPES.map((s) => s.replaceAll('.', '\\.')).join('|')}|${SCOPE_CHARS}/${SCOPE_CHARS})$`;
// https, or http on localhost only (Cognito's rule for redirect URLs); no fragment.
const URL_PATTERN = '^(https://[^\\s#/]+|http://localhost(:[0-9]{1,5})?)(/[^\\s#]*)?$';

/** A list of distinct values (a set in the API server), empty by default. */
const set = <T extends Parameters<typeof Type.Array>[0]>(items: T, description: string, maxItems: number) =>
  Type.Array(items, { description, default: [], maxItems, 'x-kubernetes-list-type': 'set' });

const PasswordPolicySchema = Obj(
  {
    minimumLength: Type.Integer({ description: 'Minimum length of a password (8 to 99).', minimum: 8, maximum: 99, default: 12 }),
    requireLowercase: Type.Boolean({ description: 'A password needs a lower-case letter.', default: true }),
    requireUppercase: Type.Boolean({ description: 'A password needs an upper-case letter.', default: true }),
    requireNumbers: Type.Boolean({ description: 'A password needs a digit.', default: true }),
    requireSymbols: Type.Boolean({ description: 'A password needs a symbol.', default: true }),
    temporaryPasswordValidityDays: Type.Integer({
      description: 'Days a temporary password an administrator set stays usable before the user must change it (1 to 365).',
      minimum: 1,
      maximum: 365,
      default: 7,
    }),
  },
  { description: 'Password policy.', default: {} },
);

const UserPoolSchema = Obj(
  {
    signInAttributes: Type.Array(StringEnum(SIGN_IN_ATTRIBUTES, { description: 'email, phone or username.' }), {
      description:
        'What users sign in with. Without username, the email address and/or phone number is the user name (Cognito usernameAttributes); with username, users choose a user name and may also sign in with the email address and/or phone number listed beside it (aliasAttributes). Fixed when the pool is created: immutable.',
      default: ['email'],
      minItems: 1,
      maxItems: 3,
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'identity.userPool.signInAttributes is immutable (Cognito fixes them when the pool is created)' }],
    }),
    passwordPolicy: PasswordPolicySchema,
    mfa: StringEnum(MFA_MODES, {
      description:
        'Multi-factor authentication: OFF (default), OPTIONAL (users who set up a factor must use it) or ON (every user must). The factor would be a software token (an authenticator app): SMS needs an SNS role and leaves the SMS sandbox to the account. Only OFF is accepted yet: turning MFA on takes SetUserPoolMfaConfig, which the cognitoidentityprovider-controller (v1.3.1) does not call. Quote the value in YAML ("OFF"): kubectl reads a bare OFF or ON as a boolean.',
      default: 'OFF',
    }),
    emailVerification: Type.Boolean({
      description: 'Cognito verifies email addresses by sending a code (autoVerifiedAttributes email), and a forgotten password is reset through the verified email address. false: no verification, and only an administrator can reset a password.',
      default: true,
    }),
    deletionProtection: Type.Boolean({
      description: 'AWS deletion protection: while true, neither AWS nor the operator can delete the user pool (its users are data). With spec.deletionPolicy Delete, set it to false before deleting the environment.',
      default: true,
    }),
  },
  {
    description: 'The Cognito user pool.',
    default: {},
    'x-kubernetes-validations': [
      {
        // has(): the API server checks the rule against the section's default ({}), which has no mfa key yet.
        rule: "!has(self.mfa) || self.mfa == 'OFF'",
        message: 'identity.userPool.mfa: only OFF is supported yet (OPTIONAL and ON need SetUserPoolMfaConfig, which neither the cognitoidentityprovider-controller v1.3.1 nor the operator calls)',
        fieldPath: '.mfa',
      },
    ],
  },
);

const hasRedirectFlow = "self.oauthFlows.exists(f, f == 'code' || f == 'implicit')";
const hasClientCredentials = "'client_credentials' in self.oauthFlows";

/** CEL rules of one app client; each names the field that has to change. */
const CLIENT_RULES: readonly CelRule[] = [
  { rule: `!(${hasClientCredentials}) || self.generateSecret`, message: 'oauthFlows client_credentials needs generateSecret: true (the client authenticates with its secret)', fieldPath: '.generateSecret' },
  {
    rule: `!(${hasClientCredentials}) || size(self.oauthFlows) == 1`,
    message: 'oauthFlows client_credentials must be the only flow of its client (Cognito refuses it beside code or implicit)',
    fieldPath: '.oauthFlows',
  },
  { rule: `!(${hasRedirectFlow}) || size(self.callbackURLs) > 0`, message: 'oauthFlows code and implicit need at least one callbackURLs entry', fieldPath: '.callbackURLs' },
  { rule: `${hasRedirectFlow} || size(self.callbackURLs) == 0`, message: 'callbackURLs need oauthFlows code or implicit', fieldPath: '.callbackURLs' },
  { rule: `${hasRedirectFlow} || size(self.logoutURLs) == 0`, message: 'logoutURLs need oauthFlows code or implicit', fieldPath: '.logoutURLs' },
  { rule: 'size(self.oauthFlows) == 0 || size(self.oauthScopes) > 0', message: 'oauthFlows need at least one oauthScopes entry', fieldPath: '.oauthScopes' },
  { rule: 'size(self.oauthFlows) > 0 || size(self.oauthScopes) == 0', message: 'oauthScopes need oauthFlows', fieldPath: '.oauthScopes' },
  {
    rule: `!(${hasClientCredentials}) || self.oauthScopes.all(s, s.contains('/'))`,
    message: 'oauthFlows client_credentials takes custom scopes only (<resource server>/<scope>): a machine client has no user for the OpenID scopes',
    fieldPath: '.oauthScopes',
  },
  {
    rule: `!self.oauthScopes.exists(s, s in ${JSON.stringify(OPENID_SCOPES).replaceAll('"', "'")}) || 'openid' in self.oauthScopes`,
    message: 'oauthScopes email, phone and profile need openid',
    fieldPath: '.oauthScopes',
  },
  { rule: "'ALLOW_REFRESH_TOKEN_AUTH' in self.explicitAuthFlows", message: 'explicitAuthFlows must include ALLOW_REFRESH_TOKEN_AUTH (Cognito refuses a client without it)', fieldPath: '.explicitAuthFlows' },
];

const ClientSchema = Obj(
  {
    name: Type.String({
      description: 'Short name, unique among the clients. The client is <project>-<name>-<environmentSuffix> in the pool; its Kubernetes Secret (generateSecret) is <environment>-cognito-<name>.',
      pattern: '^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$',
      maxLength: 32,
    }),
    generateSecret: Type.Boolean({
      description:
        'A confidential client (a server-side application) with a client secret, written with the client id to the Kubernetes Secret <environment>-cognito-<name> (keys clientID, clientSecret), never to the status. Cognito cannot change it on an existing client: a change replaces the client (new id, new secret).',
      default: false,
    }),
    oauthFlows: set(
      StringEnum(CLIENT_OAUTH_FLOWS, { description: 'code, implicit or client_credentials.' }),
      'OAuth 2.0 grants of the client: code (authorization code), implicit, client_credentials (a machine client; alone, with generateSecret and custom scopes). Default none: the client signs users in through the Cognito API only (explicitAuthFlows). The OAuth endpoints need a domain for the pool, which the environment does not create (ACK has no UserPoolDomain kind).',
      3,
    ),
    oauthScopes: set(
      Type.String({ description: 'openid, email, phone, profile, aws.cognito.signin.user.admin, or a custom <resource server>/<scope>.', pattern: SCOPE_PATTERN, maxLength: 256 }),
      'OAuth scopes the client may request (with oauthFlows). Custom scopes must exist on a resource server of the pool, which the environment does not create (ACK has no ResourceServer kind).',
      20,
    ),
    callbackURLs: set(
      Type.String({ description: 'An https URL, or http://localhost for development; no fragment.', pattern: URL_PATTERN, maxLength: 1024 }),
      'Where the authorization server may redirect after sign-in (oauthFlows code and implicit).',
      20,
    ),
    logoutURLs: set(
      Type.String({ description: 'An https URL, or http://localhost for development; no fragment.', pattern: URL_PATTERN, maxLength: 1024 }),
      'Where the authorization server may redirect after sign-out (oauthFlows code and implicit).',
      20,
    ),
    explicitAuthFlows: Type.Array(StringEnum(CLIENT_AUTH_FLOWS, { description: 'A Cognito sign-in flow.' }), {
      description: 'Sign-in flows of the Cognito API (not the hosted pages): SRP and refresh by default. ALLOW_REFRESH_TOKEN_AUTH is required.',
      default: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      minItems: 1,
      maxItems: CLIENT_AUTH_FLOWS.length,
      'x-kubernetes-list-type': 'set',
    }),
    accessTokenValidityMinutes: Type.Integer({ description: 'Lifetime of access tokens in minutes (5 to 1440).', minimum: 5, maximum: 1440, default: 60 }),
    idTokenValidityMinutes: Type.Integer({ description: 'Lifetime of ID tokens in minutes (5 to 1440).', minimum: 5, maximum: 1440, default: 60 }),
    refreshTokenValidityDays: Type.Integer({ description: 'Lifetime of refresh tokens in days (1 to 3650).', minimum: 1, maximum: 3650, default: 30 }),
  },
  { description: 'An app client of the user pool: what an application presents to sign users in.', 'x-kubernetes-validations': CLIENT_RULES },
);

/** Schema of `spec.identity`. */
export const IdentitySchema = Obj(
  {
    userPool: UserPoolSchema,
    clients: Type.Array(ClientSchema, {
      description: 'App clients of the pool (at most 10). status.outputs.identity.clients lists them in this order with their ids.',
      default: [],
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  },
  {
    description: 'Cognito: a user pool and its app clients. The pool is data (its users): kept on deletion unless spec.deletionPolicy is Delete. Omit for none.',
    'x-kubernetes-validations': [
      // render's check; the API server's list-map does the same.
      { rule: 'self.clients.all(x, self.clients.exists_one(y, y.name == x.name))', message: 'identity.clients names must be unique', fieldPath: '.clients', reason: 'FieldValueDuplicate' },
    ],
  },
);

/** Schema of `status.outputs.identity`. */
export const IdentityOutputsSchema = Obj(
  {
    userPoolID: Type.Optional(Type.String({ description: 'Id of the user pool (<region>_<id>).', maxLength: 64 })),
    userPoolARN: Type.Optional(Type.String({ description: 'ARN of the user pool.', maxLength: 256 })),
    issuerURL: Type.Optional(Type.String({ description: 'Issuer of the pool\'s tokens (https://cognito-idp.<region>.amazonaws.com/<pool id>): where applications find the keys to validate them.', maxLength: 256 })),
    clients: Type.Optional(
      Type.Array(
        Obj(
          {
            name: Type.String({ description: 'Short name from the spec.', maxLength: 32 }),
            clientID: Type.Optional(Type.String({ description: 'Client id Cognito generated.', maxLength: 128 })),
            secretName: Type.Optional(Type.String({ description: 'Kubernetes Secret holding clientID and clientSecret (generateSecret).', maxLength: 253 })),
          },
          { description: 'An app client.' },
        ),
        { description: 'App clients, in spec order.', maxItems: 10 },
      ),
    ),
  },
  { description: 'Identity.' },
);

/** `spec.identity` as TypeScript, defaulted. */
export type IdentitySpec = Static<typeof IdentitySchema>;
/** `spec.identity.userPool`, defaulted. */
export type IdentityUserPoolSpec = Static<typeof UserPoolSchema>;
/** One entry of `spec.identity.clients`, defaulted. */
export type IdentityClientSpec = Static<typeof ClientSchema>;
