import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A control-plane component running in its own process group (pgid === pid). */
export interface Component {
  /** Short name, also the log file stem: `etcd`, `kube-apiserver`, `kube-controller-manager`. */
  readonly name: string;
  readonly pid: number;
  /** Path of the file that receives the component's stdout and stderr. */
  readonly logPath: string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  readonly child: ChildProcess;
}

/**
 * Starts `binary args…` detached in a new session, so it has its own process group that can be killed as a
 * whole, and does not receive the terminal's SIGINT before our own handlers had a chance to stop it in order.
 * stdout and stderr go to `<logDir>/<name>.log`.
 */
export function spawnComponent(name: string, binary: string, args: readonly string[], logDir: string): Component {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], env: componentEnv() });
  } finally {
    // The child has its own copy of the descriptor now.
    closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new Error(`${name}: could not spawn ${binary}`);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  // The exit handlers in lifecycle.ts clean up; a running component must not keep a finished Node process alive.
  child.unref();
  return { name, pid: child.pid, logPath, exited, child };
}

/** Environment for components: no proxies (everything is loopback) and no inherited KUBECONFIG. */
function componentEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const key of ['KUBECONFIG', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[key];
  return env;
}

/**
 * True while a process with this pid exists and has not exited. A zombie (exited, not yet reaped: an orphan
 * waits for PID 1, which can take seconds in a container) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the parenthesised command name, is the state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // Gone between the two checks.
  }
}

/** Sends `signal` to the whole process group `pgid`; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Stops a component: SIGTERM to its process group, then SIGKILL if it has not exited after `graceMs`.
 * SIGKILL goes to the group in any case so that helper processes a component may have forked go too.
 */
export async function stopComponent(component: Component, graceMs = 10_000): Promise<void> {
  killGroup(component.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  await Promise.race([component.exited, timeout]);
  clearTimeout(timer);
  killGroup(component.pid, 'SIGKILL');
}

/** Waits up to `timeoutMs` for a process that is not our child (so has no exit event) to disappear. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** A memory field of a live process's /proc status (`VmRSS`, `VmHWM`, ...) in KiB; undefined if it cannot be read. */
export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM) of a live process in KiB, from /proc; undefined if it cannot be read. */
export function peakRssKiB(pid: number): number | undefined {
  return procStatusKiB(pid, 'VmHWM');
}

/** The last `lines` lines of a log file, for error messages; empty when the file cannot be read. */
export function logTail(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
