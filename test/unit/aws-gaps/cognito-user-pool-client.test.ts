/**
 * CognitoUserPoolClient through the aws-gaps executor against an in-memory Cognito (no network): waiting for the pool,
 * creating the app client once, no write when it is as declared, updating every setting on drift, recreating it when
 * GenerateSecret changes, undo, the retry decision of Cognito's errors, and the client id as an output and the client
 * secret in a Secret only: never in a message, an error or a log line.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AWS_GAPS_ANNOTATION, type CognitoUserPoolClient } from '../../../charts/aws-gaps.js';
import { AWS_GAP_REASONS, AwsGapActions, DEFAULT_RECHECK_MS } from '../../../controllers/aws-gaps/actions.js';
import { settingsOf } from '../../../controllers/aws-gaps/cognito-user-pool-client.js';
import { declarationsOf } from '../../../controllers/aws-gaps/declarations.js';
import type { SecretWriter } from '../../../controllers/aws-gaps/secrets.js';
import { retryDecision } from '../../../controllers/runtime/errors.js';
import { createLogger } from '../../../controllers/runtime/logger.js';
import { FakeWafv2, awsError } from './fake-aws.js';
import { POOL_ID, appClient, retainedUserPool, userPool } from './fake-identity.js';

/** Records the Secrets written; the next writes fail with `failures`. */
class RecordingWriter implements SecretWriter {
  readonly writes: { name: string; data: Readonly<Record<string, string>> }[] = [];
  readonly failures: Error[] = [];

  async write(name: string, data: Readonly<Record<string, string>>): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.writes.push({ name, data });
  }
}

let aws: FakeWafv2;
let clock: number;
let secrets: RecordingWriter;
let logLines: string[];
let actions: AwsGapActions;

beforeEach(() => {
  aws = new FakeWafv2();
  aws.userPools.pools.set(POOL_ID, new Map());
  clock = 1_000_000;
  secrets = new RecordingWriter();
  logLines = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  actions = new AwsGapActions({ clients: aws, logger, now: () => clock });
});

const live = (gaps = [appClient()]) => [userPool({ id: true, gaps })];
/** Reconciles the user pool declaring `gaps`, live and synced. */
const reconcile = (gaps = [appClient()]) => actions.reconcile([userPool({ gaps })], live(gaps), secrets);
const clients = () => aws.userPools.clients(POOL_ID);
const base = { component: 'identity', kind: 'CognitoUserPoolClient', name: 'shop-users-web' } as const;

/** What Create/Update send for the default declaration: every managed setting, defaults filled in. */
const SENT = {
  allowedOAuthFlows: ['code'],
  allowedOAuthScopes: ['openid', 'email'],
  callbackURLs: ['https://shop.example.com/callback'],
  logoutURLs: ['https://shop.example.com/'],
  supportedIdentityProviders: ['COGNITO'],
  explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  allowedOAuthFlowsUserPoolClient: true,
  accessTokenValidity: 60,
  idTokenValidity: 60,
  refreshTokenValidity: 30,
  tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' },
  preventUserExistenceErrors: 'ENABLED',
  enableTokenRevocation: true,
};

describe('CognitoUserPoolClient: ensure', () => {
  it.each([
    ['the pool is not created yet', []],
    ['the pool has no id yet', [userPool({ synced: false })]],
    ['the pool is not synced yet', [userPool({ id: true, synced: false })]],
  ])('waits, calling nothing and writing nothing, while %s', async (_what, pools) => {
    const report = await actions.reconcile([userPool()], pools, secrets);
    expect(report).toEqual({ components: [{ ...base, state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: 'waiting for UserPool/shop-users status.id' }], outputs: [] });
    expect(aws.userPools.calls).toEqual([]);
    expect(secrets.writes).toEqual([]);
  });

  it('creates the client with every setting once the pool is synced, outputs its id and writes id and secret to the Secret', async () => {
    const report = await reconcile();
    expect(aws.userPools.calls).toEqual([
      { operation: 'ListUserPoolClients', region: 'eu-west-1', args: [POOL_ID, 'shop-web-dev'] },
      { operation: 'CreateUserPoolClient', region: 'eu-west-1', args: [POOL_ID, 'shop-web-dev', true, SENT] },
    ]);
    const [created] = clients();
    expect(created).toMatchObject({ clientName: 'shop-web-dev', clientSecret: expect.any(String), ...SENT });
    expect(report).toEqual({
      components: [{ ...base, state: 'Ready', message: `app client shop-web-dev is ${created!.clientId} in user pool ${POOL_ID}; created` }],
      outputs: [{ output: '/identity/clients/0/clientID', value: created!.clientId }],
    });
    expect(secrets.writes).toEqual([{ name: 'shop-users-web-client', data: { clientID: created!.clientId, clientSecret: created!.clientSecret } }]);
    // Within the recheck period: the same component and output, no AWS call, no write.
    aws.userPools.take();
    clock += DEFAULT_RECHECK_MS - 1;
    expect(await reconcile()).toEqual({ ...report, components: report.components });
    expect(aws.userPools.take()).toEqual([]);
    expect(secrets.writes).toHaveLength(1);
  });

  it('is idempotent when the client is as declared: after the recheck period, and in another process, it only reads (and rewrites the same Secret)', async () => {
    await reconcile();
    const [created] = clients();
    aws.userPools.take();
    clock += DEFAULT_RECHECK_MS;
    const report = await reconcile();
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient']);
    // The message of the ensure that created it stays (a recheck that changes nothing must not patch the status).
    expect(report.components[0]).toEqual({ ...base, state: 'Ready', message: `app client shop-web-dev is ${created!.clientId} in user pool ${POOL_ID}; created` });
    expect(secrets.writes.map((w) => w.data)).toEqual([0, 1].map(() => ({ clientID: created!.clientId, clientSecret: created!.clientSecret })));
    await new AwsGapActions({ clients: aws, logger: createLogger({ level: 'silent' }) }).reconcile([userPool()], live(), secrets);
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient']);
    expect(clients()).toHaveLength(1);
  });

  it('takes lifetimes in other units as equal (1 hour is 60 minutes) and an unset lifetime as AWS\'s default', async () => {
    await reconcile();
    const [created] = clients();
    const { accessTokenValidity: _a, idTokenValidity: _i, ...rest } = created!;
    aws.userPools.pools.get(POOL_ID)!.set(created!.clientId, { ...rest, accessTokenValidity: 1, tokenValidityUnits: { refreshToken: 'days' } });
    aws.userPools.take();
    clock += DEFAULT_RECHECK_MS;
    await reconcile();
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient']);
  });

  it('updates at once when the declaration changes, sending every setting (Cognito resets what an update leaves out)', async () => {
    await reconcile();
    const [created] = clients();
    aws.userPools.take();
    const changed = appClient({ callbackURLs: ['https://shop.example.com/callback', 'https://admin.shop.example.com/callback'], accessTokenValidityMinutes: 15 });
    const report = await reconcile([changed]);
    expect(aws.userPools.calls.map((c) => [c.operation, ...c.args])).toEqual([
      ['ListUserPoolClients', POOL_ID, 'shop-web-dev'],
      ['DescribeUserPoolClient', POOL_ID, created!.clientId],
      ['UpdateUserPoolClient', POOL_ID, created!.clientId, 'shop-web-dev', { ...SENT, callbackURLs: changed.callbackURLs, accessTokenValidity: 15 }],
    ]);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: `app client shop-web-dev is ${created!.clientId} in user pool ${POOL_ID}; updated callbackURLs, accessTokenValidity` });
    expect(report.outputs).toEqual([{ output: '/identity/clients/0/clientID', value: created!.clientId }]);
  });

  it.each([
    ['callback URLs', { callbackURLs: ['https://evil.example.com/'] }, 'callbackURLs'],
    ['OAuth flows', { allowedOAuthFlows: ['implicit'] }, 'allowedOAuthFlows'],
    ['scopes', { allowedOAuthScopes: ['openid'] }, 'allowedOAuthScopes'],
    ['OAuth switched off', { allowedOAuthFlowsUserPoolClient: false }, 'allowedOAuthFlowsUserPoolClient'],
    ['explicit auth flows', { explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }, 'explicitAuthFlows'],
    ['identity providers', { supportedIdentityProviders: [] }, 'supportedIdentityProviders'],
    ['refresh token lifetime', { refreshTokenValidity: 3650 }, 'refreshTokenValidity'],
    ['user existence errors', { preventUserExistenceErrors: 'LEGACY' }, 'preventUserExistenceErrors'],
    ['token revocation', { enableTokenRevocation: false }, 'enableTokenRevocation'],
  ])('corrects %s changed outside the operator, after the recheck period', async (_what, change, field) => {
    await reconcile();
    const [created] = clients();
    aws.userPools.pools.get(POOL_ID)!.set(created!.clientId, { ...created!, ...change });
    aws.userPools.take();
    clock += DEFAULT_RECHECK_MS;
    const report = await reconcile();
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient', 'UpdateUserPoolClient']);
    expect(report.components[0]!.message).toMatch(new RegExp(`; updated ${field}$`));
    expect(clients()).toEqual([{ ...created!, ...SENT }]);
  });

  it.each([
    ['removed (a public client: a single-page app cannot keep a secret)', true, false],
    ['added (a confidential client)', false, true],
  ])('recreates the client when its secret is %s: GenerateSecret cannot change, the id changes', async (_what, before, after) => {
    await reconcile([appClient({ generateSecret: before })]);
    const [old] = clients();
    aws.userPools.take();
    const report = await reconcile([appClient({ generateSecret: after })]);
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient', 'DeleteUserPoolClient', 'CreateUserPoolClient']);
    const [fresh] = clients();
    expect(fresh!.clientId).not.toBe(old!.clientId);
    expect(fresh!.clientSecret !== undefined).toBe(after);
    expect(report.components[0]!.message).toBe(
      `app client shop-web-dev is ${fresh!.clientId} in user pool ${POOL_ID}; recreated: Cognito cannot ${after ? 'add a secret to' : 'remove the secret of'} an existing app client (GenerateSecret is immutable), client ${old!.clientId} deleted`,
    );
    expect(report.outputs).toEqual([{ output: '/identity/clients/0/clientID', value: fresh!.clientId }]);
    expect(secrets.writes.at(-1)).toEqual({ name: 'shop-users-web-client', data: after ? { clientID: fresh!.clientId, clientSecret: fresh!.clientSecret } : { clientID: fresh!.clientId } });
  });

  it('keeps the oldest of several clients of the same name (a lost Create answer) and deletes the others', async () => {
    const api = aws.userPools.api('eu-west-1');
    const first = await api.create(POOL_ID, 'shop-web-dev', true, settingsOf(appClient()));
    await api.create(POOL_ID, 'shop-web-dev', true, settingsOf(appClient()));
    await api.create(POOL_ID, 'another-app', false, {});
    aws.userPools.take();
    const report = await reconcile();
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient', 'DescribeUserPoolClient', 'DeleteUserPoolClient']);
    expect(clients().map((c) => c.clientName)).toEqual(['shop-web-dev', 'another-app']);
    expect(clients()[0]!.clientId).toBe(first.clientId);
    expect(report.outputs).toEqual([{ output: '/identity/clients/0/clientID', value: first.clientId }]);
  });

  it('declares no output and writes no Secret when the declaration asks for neither', async () => {
    const report = await reconcile([appClient({ clientIDOutput: undefined, secretName: undefined })]);
    expect(report.components[0]).toMatchObject({ state: 'Ready' });
    expect(report.outputs).toEqual([]);
    expect(secrets.writes).toEqual([]);
  });

  it.each([
    ['TooManyRequestsException', 'Too many requests'],
    ['ResourceNotFoundException', `User pool ${POOL_ID} does not exist.`],
    ['InternalErrorException', 'Internal error'],
  ])('reports %s as Progressing with Cognito\'s message, asks for a retry with backoff, and succeeds on the retry', async (code, message) => {
    aws.userPools.failures.set('CreateUserPoolClient', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toMatchObject({ state: 'Progressing', reason: AWS_GAP_REASONS.retrying, message: `CreateUserPoolClient: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(clients()).toHaveLength(1);
  });

  it.each([
    ['InvalidParameterException', 'callbackURLs must be HTTPS except for localhost'],
    ['InvalidOAuthFlowException', 'client_credentials flow can not be selected if client does not have a client secret.'],
    ['ScopeDoesNotExistException', 'Invalid scope requested: shop/orders.read'],
    ['NotAuthorizedException', 'User: arn:aws:sts::123456789012:assumed-role/operator/x is not authorized to perform: cognito-idp:CreateUserPoolClient'],
  ])('reports %s as a Failed component with Cognito\'s message, and a terminal error', async (code, message) => {
    aws.userPools.failures.set('CreateUserPoolClient', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toEqual({ ...base, state: 'Failed', reason: AWS_GAP_REASONS.rejected, message: `CreateUserPoolClient: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
    expect(clients()).toEqual([]);
  });

  it('keeps the output of the last successful ensure while a recheck fails', async () => {
    const first = await reconcile();
    aws.userPools.failures.set('ListUserPoolClients', [awsError('TooManyRequestsException', 'Too many requests')]);
    clock += DEFAULT_RECHECK_MS;
    const report = await reconcile();
    expect(report.components[0]).toMatchObject({ state: 'Progressing' });
    expect(report.outputs).toEqual(first.outputs);
  });

  it('keeps the output while ACK updates the pool (ResourceSynced=False for a while), and drops it once undone', async () => {
    const first = await reconcile();
    const updating = await actions.reconcile([userPool()], [userPool({ id: true, synced: false })], secrets);
    expect(updating.components[0]).toMatchObject({ state: 'Waiting' });
    expect(updating.outputs).toEqual(first.outputs);
    await actions.undo([userPool({ id: true })]);
    expect((await actions.reconcile([userPool()], [userPool({ id: true, synced: false })], secrets)).outputs).toEqual([]);
  });

  it('retries when the Secret cannot be written, naming it without its values, and writes it on the retry', async () => {
    secrets.failures.push(new Error('the API server refused the value: s3cr3t-1-do-not-log'));
    const report = await reconcile();
    const [created] = clients();
    expect(report.components[0]).toEqual({ ...base, state: 'Progressing', reason: AWS_GAP_REASONS.secretNotWritten, message: 'writing Secret shop-users-web-client: the API server refused the value: ***' });
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    expect(report.error!.message).not.toContain(created!.clientSecret);
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(secrets.writes).toEqual([{ name: 'shop-users-web-client', data: { clientID: created!.clientId, clientSecret: created!.clientSecret } }]);
  });

  it('fails, without retrying, when it is given nowhere to write the Secret', async () => {
    const report = await actions.reconcile([userPool()], live());
    expect(report.components[0]).toMatchObject({ state: 'Failed', reason: AWS_GAP_REASONS.secretNotWritten, message: 'Secret shop-users-web-client: no Secret writer given to the AWS actions' });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
  });

  it('never puts the client secret in a component message, an error or a log line', async () => {
    const texts: string[] = [];
    const keep = (report: Awaited<ReturnType<typeof reconcile>>) => texts.push(JSON.stringify(report.components), report.error?.message ?? '');
    keep(await reconcile());
    keep(await reconcile([appClient({ logoutURLs: [] })]));
    aws.userPools.failures.set('UpdateUserPoolClient', [awsError('InvalidParameterException', 'bad')]);
    keep(await reconcile([appClient({ logoutURLs: ['https://x.example.com/'] })]));
    keep(await reconcile([appClient({ generateSecret: false })]));
    keep(await reconcile([appClient({ generateSecret: true })]));
    const generated = secrets.writes.map((w) => w.data.clientSecret).filter((s): s is string => s !== undefined);
    expect(generated).toHaveLength(3);
    // The log has the writes (with the client id), so the check below can fail.
    expect(logLines.join('\n')).toContain(clients()[0]!.clientId);
    for (const secret of generated) {
      expect(logLines.join('\n')).not.toContain(secret);
      expect(texts.join('\n')).not.toContain(secret);
    }
  });
});

describe('CognitoUserPoolClient: undo', () => {
  it('deletes the client (every client of its name) of a pool about to be deleted, in its region', async () => {
    await reconcile();
    const [created] = clients();
    aws.userPools.take();
    expect(await actions.undo([userPool({ id: true })])).toEqual({ pending: 0 });
    expect(aws.userPools.calls).toEqual([
      { operation: 'ListUserPoolClients', region: 'eu-west-1', args: [POOL_ID, 'shop-web-dev'] },
      { operation: 'DeleteUserPoolClient', region: 'eu-west-1', args: [POOL_ID, created!.clientId] },
    ]);
    expect(clients()).toEqual([]);
  });

  it('is a no-op (one read) when there is no such client, and trusts that on the next pass', async () => {
    expect(await actions.undo([userPool({ id: true })])).toEqual({ pending: 0 });
    expect(aws.userPools.take()).toEqual(['ListUserPoolClients']);
    expect(await actions.undo([userPool({ id: true })])).toEqual({ pending: 0 });
    expect(aws.userPools.take()).toEqual([]);
  });

  it('counts a pool AWS no longer knows as done', async () => {
    aws.userPools.pools.clear();
    expect(await actions.undo([userPool({ id: true })])).toEqual({ pending: 0 });
  });

  it('leaves the client of a pool ACK retains (deletionPolicy Retain): the users keep signing in', async () => {
    await reconcile();
    aws.userPools.take();
    expect(await actions.undo([retainedUserPool()])).toEqual({ pending: 0 });
    expect(aws.userPools.calls).toEqual([]);
    expect(clients()).toHaveLength(1);
  });

  it('has nothing to undo for a pool that never got an id', async () => {
    expect(await actions.undo([userPool({ synced: false })])).toEqual({ pending: 0 });
    expect(aws.userPools.calls).toEqual([]);
  });

  it('reports a throttled deletion as pending with a retry, and no output afterwards', async () => {
    await reconcile();
    aws.userPools.failures.set('DeleteUserPoolClient', [awsError('TooManyRequestsException', 'Too many requests')]);
    const throttled = await actions.undo([userPool({ id: true })]);
    expect(throttled.pending).toBe(1);
    expect(retryDecision(throttled.error)).toEqual({ kind: 'backoff' });
    expect(await actions.undo([userPool({ id: true })])).toEqual({ pending: 0 });
    expect(clients()).toEqual([]);
  });
});

describe('the CognitoUserPoolClient declaration', () => {
  const annotated = (gap: unknown) => ({ metadata: { name: 'x', annotations: { [AWS_GAPS_ANNOTATION]: JSON.stringify([gap]) } } });

  it('reads back what the charts declare', () => {
    const minimal: CognitoUserPoolClient = { type: 'CognitoUserPoolClient', name: 'c', userPoolID: appClient().userPoolID, clientName: 'c', generateSecret: false };
    expect(declarationsOf(userPool({ gaps: [appClient(), minimal] }))).toEqual({ gaps: [appClient(), minimal] });
  });

  it.each([
    ['a pool id that is not a late value', { userPoolID: POOL_ID }, '[0].userPoolID must be {from: {apiVersion, kind, name}, fieldPath}'],
    ['no client name', { clientName: '' }, '[0].clientName must be a non-empty string'],
    ['generateSecret as a string', { generateSecret: 'true' }, '[0].generateSecret must be true or false'],
    ['an unknown OAuth flow', { allowedOAuthFlows: ['password'] }, '[0].allowedOAuthFlows "password" is not one of code, implicit, client_credentials'],
    ['callback URLs that are no list', { callbackURLs: 'https://shop.example.com/' }, '[0].callbackURLs must be a list of non-empty strings'],
    ['no explicit auth flow (AWS would pick its own)', { explicitAuthFlows: [] }, '[0].explicitAuthFlows must be a list of at least one non-empty strings'],
    ['an unknown explicit auth flow', { explicitAuthFlows: ['ALLOW_EVERYTHING'] }, '[0].explicitAuthFlows "ALLOW_EVERYTHING" is not one of'],
    ['an access token living 2 days', { accessTokenValidityMinutes: 2880 }, '[0].accessTokenValidityMinutes must be an integer from 5 to 1440'],
    ['a refresh token of 0 days', { refreshTokenValidityDays: 0 }, '[0].refreshTokenValidityDays must be an integer from 1 to 3650'],
    ['an output that is no JSON pointer', { clientIDOutput: 'identity.clientID' }, '[0].clientIDOutput must be a JSON pointer (starting with /)'],
    ['a Secret name Kubernetes refuses', { secretName: 'Shop_Client' }, '[0].secretName must be a Kubernetes object name'],
  ])('rejects %s, naming the field', (_what, change, problem) => {
    const { gaps, invalid } = declarationsOf(annotated({ ...appClient(), ...change }));
    expect(gaps).toEqual([]);
    expect(invalid).toContain(problem);
  });
});
