/**
 * `npm start`: the main job. Starts the embedded local control plane (or uses MPE_KUBECONFIG), installs the CRDs,
 * runs the controller, applies an example MarketplaceEnvironment and prints its progress until the status settles.
 * Ctrl-C stops everything cleanly.
 *
 *   npm start [-- EXAMPLE.yaml] [--exit-when-settled]
 *
 * Without ACK controllers (none run on a bare local control plane) the children are created but wait for them: the
 * status says so (NotReconciledByACK). With MPE_KUBECONFIG pointing at a cluster running the ACK controllers the
 * environment goes Ready.
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { API_VERSION, KIND, type MarketplaceEnvironmentStatus } from '../api/index.js';
import { Manager } from '../controllers/manager.js';
import { createLogger } from '../controllers/runtime/logger.js';
import { startControlPlane, type ControlPlane } from '../localcluster/control-plane.js';
import { componentTable, settled, statusLine } from './start-view.js';

const args = process.argv.slice(2);
// Default: an example whose kinds all have CRDs on the local control plane (no CloudFront/WAF; docs/ack-versions.md).
const exampleFile = args.find((a) => !a.startsWith('--')) ?? 'examples/003-trading-platform.yaml';
const exitWhenSettled = args.includes('--exit-when-settled');
const say = (line: string) => process.stdout.write(`${line}\n`);

let plane: ControlPlane | undefined;
let manager: Manager | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await manager?.stop().catch(() => undefined);
    await plane?.stop().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

async function main(): Promise<void> {
  say(process.env.MPE_KUBECONFIG ? `using the cluster of MPE_KUBECONFIG=${process.env.MPE_KUBECONFIG}` : 'starting the local control plane (etcd, kube-apiserver, kube-controller-manager)...');
  plane = await startControlPlane({ log: (l) => say(`  ${l}`) });
  say(`cluster ready at ${plane.server} (kubeconfig ${plane.kubeconfigPath}); ${plane.crds.length} CRDs installed`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  // Controller logs go to stderr at warn level, so the progress view on stdout stays readable.
  manager = new Manager({ kubeConfig, logger: createLogger({ level: (process.env.LOG_LEVEL ?? 'warn') as 'warn', destination: process.stderr }), progressRequeueMs: 5_000 });
  await manager.start();
  say('controller running');
  const env = parse(readFileSync(exampleFile, 'utf8'));
  const namespace = env.metadata.namespace ?? 'default';
  await manager.kube.apply({ ...env, metadata: { ...env.metadata, namespace } });
  say(`applied ${exampleFile} as ${namespace}/${env.metadata.name}; watching its status (Ctrl-C to stop)`);
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const live = (await manager.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace, name: env.metadata.name })) as { metadata?: { generation?: number }; status?: MarketplaceEnvironmentStatus } | undefined;
    const line = statusLine(env.metadata.name, live?.status);
    if (line !== last) {
      say(line);
      last = line;
      lastChange = Date.now();
    }
    if (settled(live?.status, live?.metadata?.generation, Date.now() - lastChange, 10_000)) {
      say('children:');
      for (const row of componentTable(live?.status)) say(`  ${row}`);
      if (live?.status?.phase !== 'Ready') say('settled: the children wait for the ACK controllers, which do not run on a bare local control plane');
      if (exitWhenSettled) return stop(0);
      say('still running; Ctrl-C to stop');
      await new Promise(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${(err as Error).stack ?? String(err)}\n`);
  void stop(1);
});
