/**
 * The operator's one HTTP endpoint (controller-runtime serves the same paths on two ports; one is enough here):
 * - `GET /metrics`: Prometheus exposition of {@link MetricsSource};
 * - `GET /healthz`: liveness, 200 while the process runs and its informers have not been stopped;
 * - `GET /readyz`: readiness, 200 once the caches are synced. A leader-election standby is ready too: it is healthy
 *   and only waits for the Lease, and a Service must not drop it (nor a rollout stall on it).
 * Anything else is 404; methods other than GET and HEAD are 405. Plain node:http, no framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from './runtime/logger.js';

/** What the probes report; read at each request. */
export interface HealthProbe {
  /** Liveness: false once the informers were stopped (the process is shutting down or wedged). */
  alive(): boolean;
  /** Readiness: true once the caches are synced (leader or standby). */
  ready(): boolean;
}

/** The metrics registry (an `OperatorMetrics` or a prom-client `Registry`). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Options of {@link HealthServer}. */
export interface HealthServerOptions {
  /** `host:port` to listen on; port 0 picks a free port (see {@link HealthServer.address}). */
  readonly address: string;
  readonly probe: HealthProbe;
  /** Omit to answer 404 on /metrics. */
  readonly metrics?: MetricsSource;
  /** @default silent */
  readonly logger?: Logger;
}

/** Splits `host:port` (`[::1]:8080` for IPv6; `:8080` means all interfaces). Throws on a malformed value. */
export function parseBindAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new Error(`invalid bind address "${address}": expected host:port, e.g. 0.0.0.0:8080`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** See the module comment. */
export class HealthServer {
  private readonly server: Server;
  private readonly logger: Logger;

  constructor(private readonly options: HealthServerOptions) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'health-server' });
    this.server = createServer((req, res) => void this.handle(req, res));
    // Probes and scrapes are short; do not let an idle keep-alive connection hold shutdown.
    this.server.keepAliveTimeout = 5_000;
  }

  /** Listens; resolves with the bound address, rejects if the address is taken. */
  async start(): Promise<{ host: string; port: number }> {
    const { host, port } = parseBindAddress(this.options.address);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = this.address();
    this.logger.info(bound, 'serving /metrics, /healthz, /readyz');
    return bound;
  }

  /** The bound address (after {@link start}). */
  address(): { host: string; port: number } {
    const info = this.server.address() as AddressInfo | null;
    if (!info) throw new Error('health server is not listening');
    return { host: info.address, port: info.port };
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    try {
      switch (path) {
        case '/healthz':
        case '/livez':
          return this.options.probe.alive() ? send(res, 200, 'ok\n') : send(res, 500, 'informers stopped\n');
        case '/readyz':
          return this.options.probe.ready() ? send(res, 200, 'ok\n') : send(res, 503, 'caches not synced\n');
        case '/metrics':
          if (!this.options.metrics) return send(res, 404, 'metrics disabled\n');
          return send(res, 200, await this.options.metrics.metrics(), { 'Content-Type': this.options.metrics.contentType });
        default:
          return send(res, 404, 'not found\n');
      }
    } catch (err) {
      this.logger.error({ err, path }, 'health server request failed');
      return send(res, 500, 'internal error\n');
    }
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
