/**
 * `npm run cluster:up` / `npm run cluster:down` (run with tsx).
 *
 * up:   starts the local control plane under a detached supervisor (state, pids and logs in `.cluster/`,
 *       kubeconfig at `.cluster/kubeconfig`) and returns once it is healthy and the CRDs are Established.
 *       With `MPE_KUBECONFIG` set it starts nothing: it installs the CRDs into that cluster and copies its
 *       kubeconfig to `.cluster/kubeconfig`.
 * down: stops the supervisor (which stops the components) and removes `.cluster/`.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BYO_KUBECONFIG_ENV, CLUSTER_STATE_DIR, REPO_ROOT, findBinaries } from './paths.js';
import { isAlive, killGroup, logTail, waitGone } from './processes.js';
import { cmdlineIncludes, isSupervisor, readState, statePaths, writeState } from './state.js';
import type { SupervisorMessage } from './supervisor.js';

const START_TIMEOUT_MS = 300_000;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function up(stateDir: string): Promise<void> {
  const paths = statePaths(stateDir);
  const existing = readState(stateDir);
  const componentsAlive = Object.entries(existing?.pids ?? {}).every(([name, pid]) => cmdlineIncludes(pid, name));
  if (existing && !existing.external && isSupervisor(existing.supervisorPid) && componentsAlive) {
    say(`cluster already running (supervisor pid ${existing.supervisorPid}) at ${existing.server}; kubeconfig ${paths.kubeconfig}`);
    return;
  }
  if (existing) await down(stateDir, true); // stale state from a crashed run
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  const byo = process.env[BYO_KUBECONFIG_ENV];
  if (byo) {
    // Imported here: client-node takes seconds to load on a busy 2-core machine, and `down` never needs it.
    const { startControlPlane } = await import('./control-plane.js');
    const plane = await startControlPlane({ byoKubeconfig: byo });
    copyFileSync(plane.kubeconfigPath, paths.kubeconfig);
    writeState(stateDir, {
      external: true,
      pids: {},
      server: plane.server,
      kubeconfigPath: paths.kubeconfig,
      startedAt: new Date().toISOString(),
      startSeconds: plane.timings.total,
    });
    say(`using ${plane.server} from ${BYO_KUBECONFIG_ENV}; ${plane.crds.length} CRDs Established; kubeconfig ${paths.kubeconfig}`);
    return;
  }

  findBinaries(); // fail here, with the build hint, rather than in the supervisor's log
  const fd = openSync(paths.supervisorLog, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'localcluster', 'supervisor.ts'), stateDir], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  // Ctrl-C while starting: take the half-started cluster down instead of leaving it behind.
  const onSignal = (): void => {
    if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outcome = await new Promise<SupervisorMessage | { type: 'exit'; code: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'failed', error: `not ready after ${START_TIMEOUT_MS / 1000} s` }), START_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as SupervisorMessage);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ type: 'exit', code: String(code ?? signal) });
    });
  });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (outcome.type === 'ready') {
    child.disconnect();
    child.unref();
    say(
      `cluster up in ${outcome.startSeconds} s at ${outcome.server} (${outcome.crds} CRDs Established); ` +
        `supervisor pid ${child.pid}; logs in ${paths.logs}\nexport KUBECONFIG=${outcome.kubeconfigPath}`,
    );
    return;
  }
  if (child.pid !== undefined && isAlive(child.pid)) {
    killGroup(child.pid, 'SIGTERM');
    await waitGone(child.pid, 30_000);
  }
  const reason = outcome.type === 'exit' ? `supervisor exited (${outcome.code})` : outcome.error;
  throw new Error(
    `cluster:up failed: ${reason}\n--- ${paths.supervisorLog} ---\n${logTail(paths.supervisorLog, 40)}\n` +
      `(component logs in ${paths.logs}; \`npm run cluster:down\` removes them)`,
  );
}

async function down(stateDir: string, quiet = false): Promise<void> {
  const state = readState(stateDir);
  if (state?.supervisorPid !== undefined && isSupervisor(state.supervisorPid)) {
    const pid = state.supervisorPid;
    // SIGTERM to the supervisor only: its handler stops the components in order and removes run/.
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 30_000))) {
      if (!quiet) say(`supervisor ${pid} did not stop within 30 s; killing it`);
      killGroup(pid, 'SIGKILL');
    }
  }
  // Belt and braces for a supervisor that was SIGKILLed before its reaper noticed.
  for (const [name, pid] of Object.entries(state?.pids ?? {})) {
    if (cmdlineIncludes(pid, name)) killGroup(pid, 'SIGKILL');
  }
  rmSync(stateDir, { recursive: true, force: true });
  if (!quiet) say(state ? `cluster down; removed ${stateDir}` : `no cluster state in ${stateDir}; removed it`);
}

const [command] = process.argv.slice(2);
const stateDir = process.env.MPE_CLUSTER_STATE_DIR ?? CLUSTER_STATE_DIR;
try {
  if (command === 'up') await up(stateDir);
  else if (command === 'down') await down(stateDir);
  else throw new Error(`usage: tsx localcluster/cli.ts up|down (got ${command ?? 'nothing'})`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
