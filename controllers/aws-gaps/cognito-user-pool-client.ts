/**
 * CognitoUserPoolClient: an app client of a Cognito user pool, which no ACK kind creates (the
 * cognitoidentityprovider-controller has UserPool only; docs/aws-gaps.md). Cognito generates the client id, so the
 * client is found by its name (ListUserPoolClients, every page) and read (DescribeUserPoolClient); it is created when
 * missing and updated when a managed setting differs. UpdateUserPoolClient resets what it is not given to the default,
 * so every managed setting is sent each time. GenerateSecret cannot change on an existing client: a change deletes the
 * client and creates a new one. The client id is an output; the client id and secret go to a Kubernetes Secret. The
 * secret never enters a message, a log line or the status.
 */
import { DEFAULT_EXPLICIT_AUTH_FLOWS, DEFAULT_TOKEN_VALIDITY, type CognitoUserPoolClient } from '../../charts/aws-gaps.js';
import { AwsCallError, awsCall } from './aws-errors.js';
import type { CognitoApi, TokenValidityUnits, UserPoolClientSettings, UserPoolClientState } from './clients.js';
import type { GapHandler, GapResult } from './handler.js';

/** Cognito's answer when the pool (or the client) does not exist. */
const NOT_FOUND = 'ResourceNotFoundException';

/** Seconds per unit of a token lifetime. */
const SECONDS: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 };

/** Per token: the unit AWS assumes when a client reports none, and its lifetime when a client reports none. */
const TOKENS = {
  accessToken: { value: 'accessTokenValidity', unit: 'hours', seconds: 3_600 },
  idToken: { value: 'idTokenValidity', unit: 'hours', seconds: 3_600 },
  refreshToken: { value: 'refreshTokenValidity', unit: 'days', seconds: 30 * 86_400 },
} as const satisfies Record<keyof TokenValidityUnits, { value: keyof UserPoolClientSettings; unit: string; seconds: number }>;

const LISTS = ['allowedOAuthFlows', 'allowedOAuthScopes', 'callbackURLs', 'logoutURLs', 'supportedIdentityProviders', 'explicitAuthFlows'] as const;

/** The settings `gap` declares, complete (what a Create or an Update sends). Empty lists are left out: AWS's default is none. */
export function settingsOf(gap: CognitoUserPoolClient): UserPoolClientSettings {
  const flows = gap.allowedOAuthFlows ?? [];
  const lists = {
    allowedOAuthFlows: flows,
    allowedOAuthScopes: gap.allowedOAuthScopes ?? [],
    callbackURLs: gap.callbackURLs ?? [],
    logoutURLs: gap.logoutURLs ?? [],
    supportedIdentityProviders: gap.supportedIdentityProviders ?? [],
    // Never empty (declarations.ts): left out, AWS would enable its own default flows.
    explicitAuthFlows: gap.explicitAuthFlows ?? DEFAULT_EXPLICIT_AUTH_FLOWS,
  };
  return {
    ...Object.fromEntries(Object.entries(lists).filter(([, v]) => v.length > 0)),
    allowedOAuthFlowsUserPoolClient: flows.length > 0,
    accessTokenValidity: gap.accessTokenValidityMinutes ?? DEFAULT_TOKEN_VALIDITY.accessTokenMinutes,
    idTokenValidity: gap.idTokenValidityMinutes ?? DEFAULT_TOKEN_VALIDITY.idTokenMinutes,
    refreshTokenValidity: gap.refreshTokenValidityDays ?? DEFAULT_TOKEN_VALIDITY.refreshTokenDays,
    tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' },
    // Not declared: a client that does not reveal whether a user exists, and whose refresh tokens can be revoked.
    preventUserExistenceErrors: 'ENABLED',
    enableTokenRevocation: true,
  };
}

/** A token's lifetime in seconds, as `s` sets it (AWS's defaults where it says nothing). */
function lifetime(s: UserPoolClientSettings, token: keyof typeof TOKENS): number {
  const { value, unit, seconds } = TOKENS[token];
  const v = s[value] as number | undefined;
  return v === undefined ? seconds : v * (SECONDS[s.tokenValidityUnits?.[token] ?? unit] ?? NaN);
}

const sameSet = (a: readonly string[] | undefined, b: readonly string[] | undefined) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/** The managed settings in which `current` differs from `desired`. */
export function differences(current: UserPoolClientSettings, desired: UserPoolClientSettings): string[] {
  const out: string[] = LISTS.filter((k) => !sameSet(current[k], desired[k]));
  if ((current.allowedOAuthFlowsUserPoolClient ?? false) !== desired.allowedOAuthFlowsUserPoolClient) out.push('allowedOAuthFlowsUserPoolClient');
  for (const token of Object.keys(TOKENS) as (keyof typeof TOKENS)[]) if (lifetime(current, token) !== lifetime(desired, token)) out.push(TOKENS[token].value);
  if (current.preventUserExistenceErrors !== desired.preventUserExistenceErrors) out.push('preventUserExistenceErrors');
  if ((current.enableTokenRevocation ?? true) !== desired.enableTokenRevocation) out.push('enableTokenRevocation');
  return out;
}

/** The clients named `clientName`, oldest first (Cognito does not keep names unique: a lost Create answer may leave two). */
async function clientsNamed(api: CognitoApi, userPoolId: string, clientName: string): Promise<UserPoolClientState[]> {
  const ids = await awsCall('ListUserPoolClients', () => api.clientIds(userPoolId, clientName));
  const found: UserPoolClientState[] = [];
  for (const id of ids) found.push(await awsCall('DescribeUserPoolClient', () => api.describe(userPoolId, id)));
  const at = (c: UserPoolClientState) => c.creationDate?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return found.sort((a, b) => at(a) - at(b) || a.clientId.localeCompare(b.clientId));
}

/** The outputs and Secret of `client`. */
function results(gap: CognitoUserPoolClient, client: UserPoolClientState): Pick<GapResult, 'outputs' | 'secret'> {
  return {
    ...(gap.clientIDOutput ? { outputs: [{ output: gap.clientIDOutput, value: client.clientId }] } : {}),
    ...(gap.secretName ? { secret: { name: gap.secretName, data: { clientID: client.clientId, ...(client.clientSecret !== undefined ? { clientSecret: client.clientSecret } : {}) } } } : {}),
  };
}

/** See the module comment. */
export const cognitoUserPoolClient: GapHandler<CognitoUserPoolClient> = {
  kind: 'CognitoUserPoolClient',

  // The pool's users are data: a retained pool keeps the clients the applications sign them in with.
  keptWithRetainedChild: true,

  ensureInputs: (gap) => ({ userPoolID: gap.userPoolID }),

  targetInputs: (gap) => ({ userPoolID: gap.userPoolID }),

  async ensure({ clients, region }, { userPoolID }, gap) {
    const api = clients.cognito(region);
    const pool = userPoolID!;
    const desired = settingsOf(gap);
    const notes: string[] = [];
    const [oldest, ...duplicates] = await clientsNamed(api, pool, gap.clientName);
    for (const d of duplicates) {
      await awsCall('DeleteUserPoolClient', () => api.delete(pool, d.clientId));
      notes.push(`deleted duplicate client ${d.clientId}`);
    }
    let client: UserPoolClientState | undefined = oldest;
    if (client && (client.clientSecret !== undefined) !== gap.generateSecret) {
      const previous = client.clientId;
      await awsCall('DeleteUserPoolClient', () => api.delete(pool, previous));
      notes.push(`recreated: Cognito cannot ${gap.generateSecret ? 'add a secret to' : 'remove the secret of'} an existing app client (GenerateSecret is immutable), client ${previous} deleted`);
      client = undefined;
    }
    if (!client) {
      client = await awsCall('CreateUserPoolClient', () => api.create(pool, gap.clientName, gap.generateSecret, desired));
      if (notes.length === 0) notes.push('created');
    } else {
      const changed = differences(client, desired);
      if (changed.length > 0) {
        await awsCall('UpdateUserPoolClient', () => api.update(pool, client!.clientId, gap.clientName, desired));
        notes.push(`updated ${changed.join(', ')}`);
      }
    }
    const message = [`app client ${gap.clientName} is ${client.clientId} in user pool ${pool}`, ...notes].join('; ');
    return { message, changed: notes.length > 0, ...results(gap, client) };
  },

  async undo({ clients, region }, { userPoolID }, gap) {
    const api = clients.cognito(region);
    const gone = (err: unknown) => err instanceof AwsCallError && err.code === NOT_FOUND;
    let ids: string[];
    try {
      ids = await awsCall('ListUserPoolClients', () => api.clientIds(userPoolID!, gap.clientName));
    } catch (err) {
      // The pool is gone, and its clients with it.
      if (gone(err)) return false;
      throw err;
    }
    for (const id of ids) {
      try {
        await awsCall('DeleteUserPoolClient', () => api.delete(userPoolID!, id));
      } catch (err) {
        if (!gone(err)) throw err;
      }
    }
    return ids.length > 0;
  },
};
