import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** The only address anything in the local control plane listens on or talks to. */
export const LOOPBACK = '127.0.0.1';

/**
 * Asks the kernel for `count` distinct free TCP ports on 127.0.0.1 (all held open together, so they differ).
 * They are released again before they are returned, so another process could take one in between; the
 * window is short, and the component's log then names the clash.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, LOOPBACK, () => {
              const address = server.address();
              if (typeof address === 'object' && address !== null) resolve(address.port);
              else reject(new Error('freePorts: no port assigned'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  }
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** PEM CA bundle that must have signed the server certificate (https only). */
  ca?: string;
  /** Bearer token sent as `Authorization`. */
  token?: string;
}

/** Result of one HTTP(S) GET: the status code (0 if the connection failed) and the body or error text. */
export interface ProbeResult {
  status: number;
  body: string;
}

/** One GET with a 5 s timeout; never rejects, so it can be polled. */
export function probe(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { headers, ca: opts.ca, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 5 s')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

/**
 * Polls `check` every `intervalMs` until it returns true. Rejects with the last `describe()` text after
 * `timeoutMs`, or at once when `abort` settles first (used to notice a component that exited while starting).
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; abort?: Promise<string>; describe?: () => string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let aborted: string | undefined;
  void opts.abort?.then((reason) => (aborted = reason));
  for (;;) {
    if (aborted !== undefined) throw new Error(`${what}: ${aborted}`);
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${opts.timeoutMs / 1000} s${opts.describe ? ` (${opts.describe()})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
