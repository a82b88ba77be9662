/**
 * The benchmark's child processes (bench/worker.ts as a controller, a baseline or a ceiling client), forked with IPC
 * so their RSS and CPU are their own, and the CPU accounting read from /proc.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../localcluster/paths.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './ipc.js';
import type { Log } from './util.js';

/** bench/, where worker.ts lives (this file is in bench/lib/). */
const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** CPU seconds (user + system) of a process, from /proc (Linux); undefined elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A forked bench/worker.ts, driven over IPC (see bench/lib/ipc.ts). */
export interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<Extract<FromWorker, { type: 'ready' }>>;
  readonly done: Promise<Extract<FromWorker, { type: 'done' }>>;
  stats(resetPeaks?: boolean, gc?: boolean): Promise<WorkerStats>;
  send(m: ToWorker): void;
  /** Stops the worker and resolves with its final stats. */
  stop(): Promise<WorkerStats | undefined>;
}

/** How workers run (the `--runtime` and `--cpu-prof` options). */
export interface WorkerRuntime {
  /** `compiled`: JS from .cache/bench-build on plain node; `tsx`: the sources through tsx. */
  readonly runtime: 'compiled' | 'tsx';
  /** Directory for V8 CPU profiles of controller workers; none when undefined. */
  readonly cpuProf?: string | undefined;
}

const workers = new Set<ChildProcess>();
/** Workers not yet exited, so an interrupted or failed benchmark can kill them instead of leaving them behind. */
export const liveWorkers: ReadonlySet<ChildProcess> = workers;

/**
 * Compiles bench/worker.ts and what it imports with the project's tsconfig into .cache/bench-build, so the worker runs
 * as the container image runs the controller (`node --enable-source-maps build/controllers/run.js`, see Dockerfile).
 */
function compileWorker(log: Log): string {
  const tsconfig = join(REPO_ROOT, '.cache', 'tsconfig.bench-build.json');
  mkdirSync(dirname(tsconfig), { recursive: true });
  const config = { extends: '../tsconfig.json', compilerOptions: { outDir: 'bench-build', rootDir: '..', noEmit: false }, include: ['../bench/worker.ts'] };
  writeFileSync(tsconfig, JSON.stringify(config));
  const t0 = performance.now();
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { stdio: 'inherit' });
  log(`compiled the worker in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return join(REPO_ROOT, '.cache', 'bench-build', 'bench', 'worker.js');
}
/** Compiled once per benchmark, on the first worker started with the compiled runtime. */
let compiledWorker: string | undefined;

/** Forks a worker with `config`; its `ready` (and, for a baseline or ceiling client, `done`) reject if it reports an error or exits. */
export function startWorker(config: WorkerConfig, rt: WorkerRuntime, log: Log): Worker {
  const prof = rt.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${rt.cpuProf}`] : [];
  const compiled = rt.runtime === 'compiled';
  if (compiled) compiledWorker ??= compileWorker(log);
  const child = fork(compiled ? compiledWorker! : join(BENCH_DIR, 'worker.ts'), [JSON.stringify(config)], {
    // --expose-gc only lets the benchmark ask for a full GC before reading the live heap; it changes no GC behaviour.
    execArgv: [...(compiled ? ['--enable-source-maps'] : ['--import', 'tsx']), '--expose-gc', ...(config.mode === 'controller' ? prof : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  workers.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (workers.delete(child), resolve())));
  const waiters: ((m: FromWorker) => boolean)[] = [];
  let failed: Error | undefined;
  child.on('message', (m: FromWorker) => {
    if (m.type === 'error') failed = new Error(`${config.mode} worker failed: ${m.message}`);
    const i = waiters.findIndex((w) => w(m));
    if (i >= 0) waiters.splice(i, 1);
  });
  const next = <T extends FromWorker['type']>(type: T) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) => {
      waiters.push((m) => {
        if (m.type === 'error') return reject(failed), true;
        if (m.type !== type) return false;
        resolve(m as Extract<FromWorker, { type: T }>);
        return true;
      });
      void exited.then(() => reject(failed ?? new Error(`${config.mode} worker exited`)));
    });
  const ready = next('ready');
  const done = config.mode !== 'controller' ? next('done') : new Promise<never>(() => undefined);
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return {
    child,
    ready,
    done,
    send: (m) => child.send(m),
    stats: async (resetPeaks, gc) => {
      const p = next('stats');
      child.send({ type: 'stats', resetPeaks, gc } satisfies ToWorker);
      return (await p).stats;
    },
    stop: async () => {
      if (child.exitCode !== null) return undefined;
      const p = next('stats').catch(() => undefined);
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const s = await p;
      await exited;
      clearTimeout(timer);
      return s?.stats;
    },
  };
}
