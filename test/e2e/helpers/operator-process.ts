/**
 * The operator as a separate process (`controllers/run.ts` under tsx, as `npm run controller` runs it), so that an e2e
 * test can SIGKILL it in the middle of its work and start it again, as a crash and a pod restart would. Its stdout and
 * stderr (pino's JSON lines) are appended to one log file, so every incarnation's lines stay together for later checks
 * (test/e2e/secrets-leak.test.ts greps them too). Every process started is SIGKILLed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killGroup, isAlive } from '../../../localcluster/processes.js';
import { REPO_ROOT } from '../../../localcluster/paths.js';
import { waitFor } from '../../integration/helpers/wait.js';

/** Options of {@link OperatorProcess.start}. */
export interface OperatorProcessOptions {
  /** Admin kubeconfig of the cluster (KUBECONFIG of the process). */
  readonly kubeconfig: string;
  /** WATCH_NAMESPACES: only these. */
  readonly namespaces: readonly string[];
  /** File the process's output is appended to. */
  readonly logPath: string;
  /** Further environment (the AWS SDK's endpoint and credentials for the operator's own AWS calls). */
  readonly env?: Readonly<Record<string, string>>;
  /** LOG_LEVEL. @default info */
  readonly logLevel?: string;
  /** Time to reach "controller started" (tsx compiles the sources first: seconds on a busy 2-core machine). @default 90 s */
  readonly startTimeoutMs?: number;
}

/** Process groups still running, killed on exit of the test process (no orderly stop is possible there). */
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) killGroup(pid, 'SIGKILL');
});

/** One operator process (its own process group). */
export class OperatorProcess {
  private constructor(
    readonly pid: number,
    readonly exited: Promise<number | string>,
    private readonly logPath: string,
    /** Size of the log when this process started: its own lines come after it. */
    private readonly logOffset: number,
  ) {}

  /** Starts the operator and resolves once it logged "controller started" (caches synced, workers running). */
  static async start(options: OperatorProcessOptions): Promise<OperatorProcess> {
    const fd = openSync(options.logPath, 'a');
    const offset = fstatSync(fd).size;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'controllers', 'run.ts')], {
        cwd: REPO_ROOT,
        detached: true, // own process group: a SIGKILL of the group takes everything it started
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env,
          // Jest's --experimental-vm-modules is not for the operator.
          NODE_OPTIONS: '',
          KUBECONFIG: options.kubeconfig,
          WATCH_NAMESPACES: options.namespaces.join(','),
          LOG_LEVEL: options.logLevel ?? 'info',
          METRICS_BIND_ADDRESS: '0',
          LEADER_ELECT: 'false',
          ...options.env,
        },
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error('could not spawn the operator');
    child.unref();
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', (err) => resolve(`spawn error: ${err.message}`));
    });
    running.add(child.pid);
    void exited.then(() => running.delete(child.pid!));
    const op = new OperatorProcess(child.pid, exited, options.logPath, offset);
    let exitedEarly: number | string | undefined;
    void exited.then((code) => (exitedEarly = code));
    await waitFor(
      'the operator process to log "controller started"',
      async () => {
        if (exitedEarly !== undefined) throw new Error(`operator exited (${exitedEarly}) while starting:\n${op.ownLog().slice(-3000)}`);
        return op.ownLog().includes('"msg":"controller started"');
      },
      options.startTimeoutMs ?? 90_000,
      250,
    ).catch(async (err: Error) => {
      await op.kill('SIGKILL');
      throw err;
    });
    return op;
  }

  /** Whether the process still runs. */
  get alive(): boolean {
    return isAlive(this.pid);
  }

  /** What this process wrote to the log. */
  ownLog(): string {
    try {
      return readFileSync(this.logPath).subarray(this.logOffset).toString('utf8');
    } catch {
      return '';
    }
  }

  /** Sends `signal` to the process group and waits for the exit (SIGKILL: no release, no cleanup, as a crash). */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<number | string> {
    killGroup(this.pid, signal);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      killGroup(this.pid, 'SIGKILL');
      return this.exited;
    }
    return code;
  }
}
