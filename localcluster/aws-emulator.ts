/**
 * Emulated AWS for the local e2e harness: moto in server mode (localcluster/moto/server.py, with the patches ACK
 * needs) on a free port of 127.0.0.1, in its own process group.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerCleanup } from './lifecycle.js';
import { LOOPBACK, probe, waitUntil } from './net.js';
import { REPO_ROOT, isExecutable } from './paths.js';
import { killGroup, logTail } from './processes.js';

/** Python of the venv made by `hack/setup-moto.sh`. */
export const MOTO_PYTHON = join(REPO_ROOT, '.cache', 'venv', 'bin', 'python');
/** The in-process moto server script. */
export const MOTO_SERVER_SCRIPT = join(REPO_ROOT, 'localcluster', 'moto', 'server.py');
/** Lists what exists in the emulated AWS (localcluster/moto/inventory.py). */
export const MOTO_INVENTORY_SCRIPT = join(REPO_ROOT, 'localcluster', 'moto', 'inventory.py');
/** Account id moto answers in STS GetCallerIdentity (and every ARN). */
export const MOTO_ACCOUNT_ID = '123456789012';

/** A running moto server. */
export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`: one endpoint for every AWS service, STS included. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id, also its process-group id. */
  readonly pid: number;
  /** stdout and stderr of the server (patch notes and one line per request). */
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) once the server has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM (moto stops its HTTP server and exits 0), then SIGKILL to the group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startAwsEmulator}. */
export interface AwsEmulatorOptions {
  /** Directory for `moto.log` and the port file; created if missing. */
  logDir: string;
  /** Python interpreter with moto installed; default {@link MOTO_PYTHON}. */
  python?: string;
  /** How long to wait for the server to answer; default 60 s (moto imports take a few seconds). */
  timeoutMs?: number;
}

/**
 * Starts moto on a free loopback port and resolves once it answers HTTP. The process is stopped on
 * SIGINT/SIGTERM/exit of this process too (localcluster/lifecycle.ts), so a crashed test leaves nothing.
 */
export async function startAwsEmulator(opts: AwsEmulatorOptions): Promise<AwsEmulator> {
  const python = opts.python ?? MOTO_PYTHON;
  if (!isExecutable(python)) throw new Error(`${python} is not executable: moto virtualenv missing: run \`bash hack/setup-moto.sh\` first`);
  mkdirSync(opts.logDir, { recursive: true });
  const logPath = join(opts.logDir, 'moto.log');
  const portFile = join(opts.logDir, 'moto.port');
  rmSync(portFile, { force: true });

  const fd = openSync(logPath, 'a');
  const child = spawn(python, ['-u', MOTO_SERVER_SCRIPT, '--port', '0', '--port-file', portFile], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, NO_PROXY: LOOPBACK, no_proxy: LOOPBACK, PYTHONDONTWRITEBYTECODE: '1' },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not spawn ${python} ${MOTO_SERVER_SCRIPT}`);
  const pid: number = child.pid;
  child.unref();
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  const unregister = registerCleanup({
    stop: () => stop(),
    killNow: () => killGroup(pid, 'SIGKILL'),
  });
  async function stop(graceMs = 10_000): Promise<void> {
    killGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    killGroup(pid, 'SIGKILL');
    unregister();
  }

  let port = 0;
  try {
    await waitUntil(
      'moto',
      async () => {
        if (!port && existsSync(portFile)) port = Number(readFileSync(portFile, 'utf8').trim());
        return port > 0 && (await probe(`http://${LOOPBACK}:${port}/moto-api/`)).status === 200;
      },
      {
        timeoutMs: opts.timeoutMs ?? 60_000,
        intervalMs: 250,
        abort: exited.then((code) => `exited (${code}) while starting:\n${logTail(logPath)}`),
        describe: () => logTail(logPath, 10),
      },
    );
  } catch (err) {
    await stop(2_000);
    throw err;
  }
  return { endpoint: `http://${LOOPBACK}:${port}`, port, pid, logPath, exited, stop };
}

/**
 * Live AWS resources of the operator's kinds, read through the AWS API of the emulator: keys are
 * `<service> <Kind>` (e.g. `ec2 VPC`), values the AWS ids, merged over `regions` (default us-east-1). Defaults AWS
 * creates by itself and deleted-but-retained resources (KMS keys pending deletion, secrets scheduled for deletion)
 * are not listed.
 */
export async function awsInventory(
  emulator: Pick<AwsEmulator, 'endpoint'>,
  python = MOTO_PYTHON,
  regions: readonly string[] = ['us-east-1'],
): Promise<Record<string, string[]>> {
  const { stdout } = await promisify(execFile)(python, [MOTO_INVENTORY_SCRIPT, emulator.endpoint, ...regions], { timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, string[]>;
}
