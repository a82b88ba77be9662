/**
 * SdkAwsClients.rdsProxy and .cognito with the real AWS SDK and a request handler answering from a queue (no network):
 * the requests RDS (query protocol, XML) and Cognito (JSON 1.1) get, every page read, the endpoint variables the SDK
 * reads, and AWS's error codes kept with their retry decision.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AwsCallError, awsCall } from '../../../controllers/aws-gaps/aws-errors.js';
import { SdkAwsClients } from '../../../controllers/aws-gaps/clients.js';

interface FakeRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** What the handler saw of one request: URL, JSON target (Cognito), decoded body, signing scope. */
interface Seen {
  readonly url: string;
  readonly target: string;
  readonly body: unknown;
  readonly scope: string;
}

/** One queued answer: status, content type and body. */
type Answer = readonly [status: number, contentType: string, body: string];

const AWS_VARIABLES = ['AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_RDS', 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];
let saved: Record<string, string | undefined>;
let seen: Seen[];
let answers: Answer[];

beforeEach(() => {
  saved = Object.fromEntries(AWS_VARIABLES.map((v) => [v, process.env[v]]));
  for (const v of AWS_VARIABLES) delete process.env[v];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
  seen = [];
  answers = [];
});

afterEach(() => {
  for (const [v, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
  }
});

const handler = {
  handle: async (request: FakeRequest) => {
    const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
    const target = request.headers['x-amz-target'] ?? '';
    seen.push({
      url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`,
      target,
      body: target ? JSON.parse(text || '{}') : Object.fromEntries(new URLSearchParams(text)),
      scope: /Credential=[^/]+\/\d+\/([^,]+),/.exec(request.headers['authorization'] ?? '')?.[1] ?? '',
    });
    const [status, contentType, body] = answers.shift() ?? [200, 'application/x-amz-json-1.1', '{}'];
    const headers = { 'content-type': contentType, ...(status >= 400 && contentType.includes('json') ? { 'x-amzn-errortype': (JSON.parse(body) as { __type: string }).__type } : {}) };
    return { response: { statusCode: status, headers, body: Readable.from([Buffer.from(body)]) } };
  },
};

const clients = () => new SdkAwsClients({ clientConfig: { requestHandler: handler, maxAttempts: 1 } });

const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const xml = (action: string, result: string): Answer => [200, 'text/xml', `<${action}Response xmlns="${RDS_NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`];
const rdsError = (code: string, message: string): Answer => [404, 'text/xml', `<ErrorResponse xmlns="${RDS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`];
const target = (type: string, id: string, cluster?: string) => `<member><Type>${type}</Type><RdsResourceId>${id}</RdsResourceId>${cluster ? `<TrackedClusterId>${cluster}</TrackedClusterId>` : ''}<TargetHealth><State>AVAILABLE</State></TargetHealth></member>`;

describe('SdkAwsClients.rdsProxy', () => {
  it('reads every page of the default target group\'s targets, at the regional endpoint', async () => {
    answers.push(
      xml('DescribeDBProxyTargets', `<Targets>${target('TRACKED_CLUSTER', 'shop-db-dev', 'shop-db-dev')}</Targets><Marker>m1</Marker>`),
      xml('DescribeDBProxyTargets', `<Targets>${target('RDS_INSTANCE', 'shop-db-dev-1', 'shop-db-dev')}</Targets>`),
    );
    expect(await clients().rdsProxy('eu-west-1').targets('shop-db-proxy-dev')).toEqual([
      { type: 'TRACKED_CLUSTER', rdsResourceId: 'shop-db-dev', trackedClusterId: 'shop-db-dev' },
      { type: 'RDS_INSTANCE', rdsResourceId: 'shop-db-dev-1', trackedClusterId: 'shop-db-dev' },
    ]);
    expect(seen).toEqual([
      { url: 'https://rds.eu-west-1.amazonaws.com/', target: '', body: { Action: 'DescribeDBProxyTargets', Version: '2014-10-31', DBProxyName: 'shop-db-proxy-dev', TargetGroupName: 'default' }, scope: 'eu-west-1/rds/aws4_request' },
      { url: 'https://rds.eu-west-1.amazonaws.com/', target: '', body: { Action: 'DescribeDBProxyTargets', Version: '2014-10-31', DBProxyName: 'shop-db-proxy-dev', TargetGroupName: 'default', Marker: 'm1' }, scope: 'eu-west-1/rds/aws4_request' },
    ]);
  });

  it('registers and deregisters a cluster by DBClusterIdentifiers and an instance by DBInstanceIdentifiers', async () => {
    answers.push(xml('RegisterDBProxyTargets', '<DBProxyTargets/>'), xml('DeregisterDBProxyTargets', ''));
    const api = clients().rdsProxy('eu-west-1');
    await api.register('p', { kind: 'cluster', identifier: 'shop-db-dev' });
    await api.deregister('p', { kind: 'instance', identifier: 'old-db' });
    expect(seen.map((s) => s.body)).toEqual([
      { Action: 'RegisterDBProxyTargets', Version: '2014-10-31', DBProxyName: 'p', TargetGroupName: 'default', 'DBClusterIdentifiers.member.1': 'shop-db-dev' },
      { Action: 'DeregisterDBProxyTargets', Version: '2014-10-31', DBProxyName: 'p', TargetGroupName: 'default', 'DBInstanceIdentifiers.member.1': 'old-db' },
    ]);
  });

  it('prefers AWS_ENDPOINT_URL_RDS over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    answers.push(xml('DescribeDBProxyTargets', '<Targets/>'), xml('DescribeDBProxyTargets', '<Targets/>'));
    await clients().rdsProxy('us-east-1').targets('p');
    process.env.AWS_ENDPOINT_URL_RDS = 'http://127.0.0.1:5000';
    await clients().rdsProxy('us-east-1').targets('p');
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:4566/', 'http://127.0.0.1:5000/']);
  });

  it.each([
    ['DBProxyNotFoundFault', 'The specified proxy name p doesn\'t correspond to a proxy owned by your account.', true],
    ['InvalidDBProxyStateFault', 'The requested operation can\'t be performed while the proxy is in this state.', true],
    ['InvalidParameterValue', 'Invalid target group name.', false],
  ])('keeps RDS\'s error code and message (%s) and its retry decision', async (code, message, retryable) => {
    answers.push(rdsError(code, message));
    const api = clients().rdsProxy('eu-west-1');
    const err = await awsCall('RegisterDBProxyTargets', () => api.register('p', { kind: 'instance', identifier: 'db' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ code, retryable, message: `RegisterDBProxyTargets: ${code}: ${message}` });
  });
});

const json = (body: unknown): Answer => [200, 'application/x-amz-json-1.1', JSON.stringify(body)];
const COGNITO = 'AWSCognitoIdentityProviderService';
const CLIENT = {
  UserPoolId: 'eu-west-1_AbC',
  ClientName: 'shop-web-dev',
  ClientId: '7abc1def',
  ClientSecret: 'the-secret',
  CreationDate: 1_700_000_000,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid'],
  AllowedOAuthFlowsUserPoolClient: true,
  CallbackURLs: ['https://shop.example.com/callback'],
  SupportedIdentityProviders: ['COGNITO'],
  ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  AccessTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: 'minutes', RefreshToken: 'days' },
  PreventUserExistenceErrors: 'ENABLED',
  EnableTokenRevocation: true,
};

describe('SdkAwsClients.cognito', () => {
  it('lists every page of the pool\'s clients and keeps the ids of those named as asked, at the regional endpoint', async () => {
    answers.push(
      json({ UserPoolClients: [{ ClientId: 'a', ClientName: 'shop-web-dev' }, { ClientId: 'b', ClientName: 'other' }], NextToken: 't1' }),
      json({ UserPoolClients: [{ ClientId: 'c', ClientName: 'shop-web-dev' }] }),
    );
    expect(await clients().cognito('eu-west-1').clientIds('eu-west-1_AbC', 'shop-web-dev')).toEqual(['a', 'c']);
    expect(seen).toEqual([
      { url: 'https://cognito-idp.eu-west-1.amazonaws.com/', target: `${COGNITO}.ListUserPoolClients`, body: { UserPoolId: 'eu-west-1_AbC', MaxResults: 60 }, scope: 'eu-west-1/cognito-idp/aws4_request' },
      { url: 'https://cognito-idp.eu-west-1.amazonaws.com/', target: `${COGNITO}.ListUserPoolClients`, body: { UserPoolId: 'eu-west-1_AbC', MaxResults: 60, NextToken: 't1' }, scope: 'eu-west-1/cognito-idp/aws4_request' },
    ]);
  });

  it('reads a client with its secret and settings', async () => {
    answers.push(json({ UserPoolClient: CLIENT }));
    expect(await clients().cognito('eu-west-1').describe('eu-west-1_AbC', '7abc1def')).toEqual({
      clientId: '7abc1def',
      clientSecret: 'the-secret',
      creationDate: new Date(1_700_000_000_000),
      allowedOAuthFlows: ['code'],
      allowedOAuthScopes: ['openid'],
      allowedOAuthFlowsUserPoolClient: true,
      callbackURLs: ['https://shop.example.com/callback'],
      supportedIdentityProviders: ['COGNITO'],
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      accessTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: { accessToken: 'minutes', refreshToken: 'days' },
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
    });
    expect(seen.map((s) => [s.target, s.body])).toEqual([[`${COGNITO}.DescribeUserPoolClient`, { UserPoolId: 'eu-west-1_AbC', ClientId: '7abc1def' }]]);
  });

  it('creates and updates a client with exactly the settings given, and deletes one', async () => {
    answers.push(json({ UserPoolClient: CLIENT }), json({ UserPoolClient: CLIENT }), json({}));
    const api = clients().cognito('eu-west-1');
    const settings = { allowedOAuthFlows: ['code'], allowedOAuthFlowsUserPoolClient: true, accessTokenValidity: 15, tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }, enableTokenRevocation: true };
    expect((await api.create('eu-west-1_AbC', 'shop-web-dev', true, settings)).clientSecret).toBe('the-secret');
    await api.update('eu-west-1_AbC', '7abc1def', 'shop-web-dev', settings);
    await api.delete('eu-west-1_AbC', '7abc1def');
    const sent = { AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, AccessTokenValidity: 15, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' }, EnableTokenRevocation: true };
    expect(seen.map((s) => [s.target, s.body])).toEqual([
      [`${COGNITO}.CreateUserPoolClient`, { UserPoolId: 'eu-west-1_AbC', ClientName: 'shop-web-dev', GenerateSecret: true, ...sent }],
      [`${COGNITO}.UpdateUserPoolClient`, { UserPoolId: 'eu-west-1_AbC', ClientId: '7abc1def', ClientName: 'shop-web-dev', ...sent }],
      [`${COGNITO}.DeleteUserPoolClient`, { UserPoolId: 'eu-west-1_AbC', ClientId: '7abc1def' }],
    ]);
  });

  it('prefers AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    await clients().cognito('us-east-1').clientIds('p', 'c');
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = 'http://127.0.0.1:5000';
    await clients().cognito('us-east-1').clientIds('p', 'c');
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:4566/', 'http://127.0.0.1:5000/']);
  });

  it.each([
    ['ResourceNotFoundException', 'User pool eu-west-1_AbC does not exist.', true],
    ['TooManyRequestsException', 'Too many requests', true],
    ['InvalidParameterException', 'callbackURLs must use HTTPS', false],
    ['NotAuthorizedException', 'not authorized to perform: cognito-idp:CreateUserPoolClient', false],
  ])('keeps Cognito\'s error code and message (%s) and its retry decision', async (code, message, retryable) => {
    answers.push([400, 'application/x-amz-json-1.1', JSON.stringify({ __type: code, message })]);
    const api = clients().cognito('eu-west-1');
    const err = await awsCall('CreateUserPoolClient', () => api.create('eu-west-1_AbC', 'c', false, {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ code, retryable, message: `CreateUserPoolClient: ${code}: ${message}` });
  });
});
