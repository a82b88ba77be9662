import { spawn } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { killGroup } from './processes.js';

/** Something that must be torn down when the process ends, however it ends. */
export interface Cleanup {
  /** Orderly stop, used on SIGINT/SIGTERM/SIGHUP. */
  stop(): Promise<void>;
  /** Last resort on process exit: only synchronous work is possible there (SIGKILL groups, rm the dir). */
  killNow(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const active = new Set<Cleanup>();
let stopping = false;

function onExit(): void {
  for (const cleanup of active) cleanup.killNow();
  active.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[localcluster] ${signal}: stopping the local control plane\n`);
  void Promise.allSettled([...active].map((c) => c.stop())).finally(() => {
    uninstall();
    // Re-raise so the process ends the way it would have without us (exit status 128+n), unless someone
    // else also handles the signal and therefore decides when to exit.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function install(): void {
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', onExit);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  stopping = false;
}

/**
 * Registers `cleanup` to run on SIGINT/SIGTERM/SIGHUP and on process exit. Returns the function that
 * unregisters it (call it after a normal stop). Handlers are only installed while something is registered,
 * so a process without a running control plane keeps Node's default signal behaviour.
 */
export function registerCleanup(cleanup: Cleanup): () => void {
  if (active.size === 0) install();
  active.add(cleanup);
  return () => {
    active.delete(cleanup);
    if (active.size === 0) uninstall();
  };
}

/**
 * Starts a detached shell watchdog for the case no handler can cover: the owning process is SIGKILLed (or
 * crashes hard). Once `ownerPid` is gone it SIGKILLs every process group listed in `<runDir>/pgids` and
 * removes `runDir`. It exits by itself when `runDir` disappears (normal stop). Returns its pid.
 */
export function startReaper(ownerPid: number, runDir: string): number {
  const script = [
    'owner=$1; dir=$2',
    'while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done',
    '[ -d "$dir" ] || exit 0',
    // POSIX form: dash (Debian's sh) rejects `kill -KILL -- -PGID` with "Illegal number".
    'for g in $(cat "$dir/pgids" 2>/dev/null); do kill -s KILL -- "-$g" 2>/dev/null; done',
    'rm -rf "$dir"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'mpe-reaper', String(ownerPid), runDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the reaper watchdog (sh)');
  return child.pid;
}

/** Records a component's process group for the reaper. */
export function recordPgid(runDir: string, pgid: number): void {
  appendFileSync(join(runDir, 'pgids'), `${pgid}\n`);
}

/** Synchronous teardown used by {@link Cleanup.killNow}: SIGKILL the groups and the reaper, remove the dir. */
export function killAndRemoveSync(pgids: readonly number[], reaperPid: number | undefined, runDir: string): void {
  for (const pgid of pgids) killGroup(pgid, 'SIGKILL');
  if (reaperPid !== undefined) killGroup(reaperPid, 'SIGKILL');
  rmSync(runDir, { recursive: true, force: true });
}
