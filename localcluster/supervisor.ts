/**
 * Detached owner of a `cluster:up` control plane. Started by cli.ts as
 * `node --import tsx localcluster/supervisor.ts <stateDir>` with an IPC channel: it starts the control plane
 * with everything under <stateDir>, writes state.json, sends `{ type: 'ready' }` (or `{ type: 'failed' }`)
 * and then keeps running until SIGTERM/SIGINT (cluster:down), when lifecycle.ts stops the components.
 */
import { startControlPlane } from './control-plane.js';
import { isAlive } from './processes.js';
import { statePaths, writeState } from './state.js';

/** Message sent to the parent over IPC once the outcome of the start is known. */
export type SupervisorMessage =
  | { type: 'ready'; server: string; kubeconfigPath: string; startSeconds: number; crds: number }
  | { type: 'failed'; error: string };

async function main(stateDir: string): Promise<void> {
  const paths = statePaths(stateDir);
  const log = (line: string): void => void process.stderr.write(`[supervisor ${new Date().toISOString()}] ${line}\n`);
  let plane;
  try {
    // byoKubeconfig '' : cli.ts handles MPE_KUBECONFIG itself; the supervisor always starts processes.
    plane = await startControlPlane({
      runDir: paths.run,
      logDir: paths.logs,
      kubeconfigPath: paths.kubeconfig,
      byoKubeconfig: '',
      log,
    });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log(error);
    send({ type: 'failed', error });
    process.exitCode = 1;
    return;
  }
  writeState(stateDir, {
    external: false,
    supervisorPid: process.pid,
    pids: { ...plane.pids },
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    startedAt: new Date().toISOString(),
    startSeconds: plane.timings.total,
  });
  send({
    type: 'ready',
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    startSeconds: plane.timings.total,
    crds: plane.crds.length,
  });
  process.disconnect?.();

  // Keeps the event loop alive (the components are unref'd) and notices a component that died on its own:
  // then the whole cluster goes down, so `cluster:up` can start a clean one instead of a half-working one.
  const watch = setInterval(() => {
    const dead = Object.entries(plane.pids).filter(([, pid]) => !isAlive(pid));
    if (dead.length === 0) return;
    clearInterval(watch);
    log(`${dead.map(([name]) => name).join(', ')} exited unexpectedly (see ${paths.logs}); stopping the cluster`);
    void plane.stop().finally(() => (process.exitCode = 1));
  }, 2_000);
}

function send(message: SupervisorMessage): void {
  process.send?.(message);
}

const stateDir = process.argv[2];
if (!stateDir) {
  process.stderr.write('usage: node --import tsx localcluster/supervisor.ts <stateDir>\n');
  process.exit(2);
}
await main(stateDir);
