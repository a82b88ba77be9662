import { randomBytes } from 'node:crypto';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { TEST_KUBECONFIG_ENV } from './env.js';

export { TEST_KUBECONFIG_ENV };

/** Path of the integration cluster's admin kubeconfig, exported by global-setup.ts. */
export function testKubeconfigPath(): string {
  const path = process.env[TEST_KUBECONFIG_ENV];
  if (!path) {
    throw new Error(
      `${TEST_KUBECONFIG_ENV} is not set: integration tests must run in the jest "integration" project, ` +
        'whose globalSetup (test/integration/global-setup.ts) starts the cluster',
    );
  }
  return path;
}

/** A client-node KubeConfig for the integration cluster (admin, group system:masters on the local cluster). */
export function loadTestKubeConfig(path = testKubeconfigPath()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * A KubeConfig for the same cluster (server and CA of `base`'s current context) that authenticates as
 * another identity by bearer token, e.g. a ServiceAccount token from the TokenRequest API.
 */
export function kubeConfigForToken(base: KubeConfig, token: string, user = 'token-user'): KubeConfig {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('kubeConfigForToken: the base kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/** A DNS-1123 name unique per call, so tests never collide with leftovers in a shared (MPE_KUBECONFIG) cluster. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** HTTP status of a client-node ApiException, or undefined for anything else (e.g. a connection error). */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  // Duck-typed too: under Jest's ESM loader an error can come from another instance of the module.
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** Resolves with the HTTP status the call failed with; fails the test if it succeeded or failed otherwise. */
export async function failureStatus(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (err) {
    const status = statusOf(err);
    if (status !== undefined) return status;
    throw err;
  }
  throw new Error('expected the API call to fail, but it succeeded');
}

/** Resolves true once `read` fails with 404 (the object is gone); rethrows any other error. */
export async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    throw err;
  }
}

/** Polls `check` every `intervalMs` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
