import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Contents of `<stateDir>/state.json`, written by `cluster:up` and read by `cluster:down`. */
export interface ClusterState {
  /** True when `MPE_KUBECONFIG` named an existing cluster: nothing was started, down only removes state. */
  external: boolean;
  /** Pid of the detached supervisor that owns the components (absent for an external cluster). */
  supervisorPid?: number;
  /** Component pids, each also its process-group id. */
  pids: Record<string, number>;
  server: string;
  kubeconfigPath: string;
  startedAt: string;
  /** Seconds from start to healthy with CRDs Established. */
  startSeconds: number;
}

/** Paths inside a cluster state directory (default `.cluster/`). */
export function statePaths(stateDir: string): {
  state: string;
  kubeconfig: string;
  run: string;
  logs: string;
  supervisorLog: string;
} {
  return {
    state: join(stateDir, 'state.json'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    run: join(stateDir, 'run'),
    logs: join(stateDir, 'logs'),
    supervisorLog: join(stateDir, 'supervisor.log'),
  };
}

/** Reads state.json; undefined when there is none or it is unreadable (treated as "not running"). */
export function readState(stateDir: string): ClusterState | undefined {
  const path = statePaths(stateDir).state;
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Writes state.json. */
export function writeState(stateDir: string, state: ClusterState): void {
  writeFileSync(statePaths(stateDir).state, JSON.stringify(state, null, 2) + '\n');
}

/**
 * True when `pid` is alive and its command line contains `needle`, checked via /proc/<pid>/cmdline so that a
 * recycled pid of an unrelated process is never signalled.
 */
export function cmdlineIncludes(pid: number | undefined, needle: string): pid is number {
  if (pid === undefined) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
  } catch {
    return false;
  }
}

/** True when `pid` is alive and is a supervisor.ts process. */
export function isSupervisor(pid: number | undefined): pid is number {
  return cmdlineIncludes(pid, 'localcluster/supervisor');
}
