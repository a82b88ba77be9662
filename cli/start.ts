/**
 * `npm start`: the main job. Starts the embedded local control plane (or uses MPE_KUBECONFIG), installs the CRDs,
 * and, on the local control plane, emulated AWS (moto) with every ACK controller built by `npm run setup`; then runs
 * the controller, applies every MarketplaceEnvironment of an example file (example 003: one per region) and prints
 * their progress until every status settles. Ctrl-C stops everything cleanly.
 *
 *   npm start [-- EXAMPLE.yaml] [--exit-when-settled] [--no-emulated-aws]
 *
 * With moto and the ACK controllers the default example (003, whose kinds all have a controller here) goes Ready in
 * each of its three regions, with outputs from the emulated AWS. Without them (not built, or --no-emulated-aws) the
 * children are created but wait for a controller: the status says so (NotReconciledByACK). With MPE_KUBECONFIG
 * nothing is started besides the operator: that cluster is expected to run the ACK controllers itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, KIND, type MarketplaceEnvironmentStatus } from '../api/index.js';
import { AwsGapActions } from '../controllers/aws-gaps/actions.js';
import { SdkAwsClients } from '../controllers/aws-gaps/clients.js';
import { EnvironmentController } from '../controllers/environment-controller.js';
import { createLogger } from '../controllers/runtime/logger.js';
import { findAckControllers, startAckControllers, type AckControllers } from '../localcluster/ack-controllers.js';
import { MOTO_PYTHON, startAwsEmulator, type AwsEmulator } from '../localcluster/aws-emulator.js';
import { startControlPlane, type ControlPlane } from '../localcluster/control-plane.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { readManifests } from './examples.js';
import { componentTable, outputLines, settled, statusLine } from './start-view.js';

const args = process.argv.slice(2);
// Default: an example whose kinds all have an ACK controller here (no CloudFront/WAF; docs/ack-versions.md).
const exampleFile = args.find((a) => !a.startsWith('--')) ?? 'examples/003-trading-platform.yaml';
const exitWhenSettled = args.includes('--exit-when-settled');
const withoutAws = args.includes('--no-emulated-aws');
const say = (line: string) => process.stdout.write(`${line}\n`);
/** moto and controller logs of this run (git-ignored). */
const AWS_LOG_DIR = join(REPO_ROOT, '.cache', 'start', new Date().toISOString().replace(/[:.]/g, '-'));

let plane: ControlPlane | undefined;
let moto: AwsEmulator | undefined;
let controllers: AckControllers | undefined;
let operator: EnvironmentController | undefined;
let awsClients: SdkAwsClients | undefined;
let stopping = false;

/** What the status loop reads of an applied environment. */
type Live = { metadata?: { generation?: number }; status?: MarketplaceEnvironmentStatus };

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await operator?.stop().catch(() => undefined);
    awsClients?.close();
    await controllers?.stop().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    await plane?.stop().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

/**
 * moto + every built ACK controller against the local cluster, when `npm run setup` built them. Returns whether
 * they run; missing pieces are reported with the command that provides them, and the job continues without.
 */
async function startEmulatedAws(kubeconfigPath: string): Promise<boolean> {
  if (withoutAws) {
    say('emulated AWS not started (--no-emulated-aws): the children will wait for ACK controllers');
    return false;
  }
  const { available, missing } = findAckControllers();
  const missingParts = [
    ...(existsSync(MOTO_PYTHON) ? [] : ['moto (the AWS emulator): bash hack/setup-moto.sh']),
    ...(available.length > 0 ? [] : ['the ACK controllers: bash hack/build-ack-controllers.sh (~10 min cold)']),
  ];
  if (missingParts.length > 0) {
    say('emulated AWS not available, continuing without it (the children will wait for ACK controllers). To get it,');
    say(`run \`npm run setup\`, or build what is missing: ${missingParts.join('; ')}`);
    return false;
  }
  say('starting emulated AWS (moto) and the ACK controllers...');
  moto = await startAwsEmulator({ logDir: AWS_LOG_DIR });
  controllers = await startAckControllers({ kubeconfigPath, endpoint: moto.endpoint, logDir: AWS_LOG_DIR });
  say(`  moto at ${moto.endpoint}; ACK controllers: ${controllers.running.map((c) => `${c.service} ${c.tag}`).join(', ')}`);
  if (missing.length) say(`  no controller for ${missing.map((m) => m.service).join(', ')} (docs/ack-versions.md): those kinds stay not ready`);
  say(`  logs in ${AWS_LOG_DIR}`);
  return true;
}

async function main(): Promise<void> {
  const external = Boolean(process.env.MPE_KUBECONFIG);
  say(external ? `using the cluster of MPE_KUBECONFIG=${process.env.MPE_KUBECONFIG}` : 'starting the local control plane (etcd, kube-apiserver, kube-controller-manager)...');
  plane = await startControlPlane({ log: (l) => say(`  ${l}`) });
  say(`cluster ready at ${plane.server} (kubeconfig ${plane.kubeconfigPath}); ${plane.crds.length} CRDs installed`);
  const ackRunning = external ? true : await startEmulatedAws(plane.kubeconfigPath);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  // Controller logs go to stderr at warn level, so the progress view on stdout stays readable.
  const logger = createLogger({ level: (process.env.LOG_LEVEL ?? 'warn') as 'warn', destination: process.stderr });
  // The AWS actions the operator performs itself (docs/aws-gaps.md) go where the ACK controllers' calls go: to moto,
  // with its test credentials. Otherwise (MPE_KUBECONFIG, or no emulator) the SDK's default chain and endpoint.
  if (moto) awsClients = new SdkAwsClients({ clientConfig: { endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } });
  const awsGaps = awsClients && new AwsGapActions({ clients: awsClients, logger });
  operator = new EnvironmentController({ kubeConfig, logger, progressRequeueMs: 5_000, awsGaps });
  await operator.start();
  say('controller running');
  const environments = readManifests(exampleFile).map((m) => ({ ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? 'default' } }));
  if (environments.length === 0) throw new Error(`${exampleFile} holds no MarketplaceEnvironment`);
  for (const env of environments) await operator.kube.apply(env);
  say(`applied ${exampleFile}: ${environments.map((e) => `${e.metadata.namespace}/${e.metadata.name}`).join(', ')}; watching their status (Ctrl-C to stop)`);
  const appliedAt = Date.now();
  const seconds = (at: number) => Math.round((at - appliedAt) / 1000);
  // With ACK controllers at work a quiet minute is normal (references resolve with backoff); without them 10 s is enough.
  const stableMs = ackRunning ? 60_000 : 10_000;
  const watched = environments.map((env) => ({ env, line: '', lastChange: Date.now(), live: undefined as Live | undefined, settledAt: undefined as number | undefined }));
  for (;;) {
    for (const w of watched) {
      const { namespace, name } = w.env.metadata;
      w.live = (await operator.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace, name })) as Live | undefined;
      const line = statusLine(name, w.live?.status);
      if (line !== w.line) {
        say(`[${seconds(Date.now())} s] ${line}`);
        w.line = line;
        w.lastChange = Date.now();
      }
      // Settling is judged per environment: one still progressing must not hide another's Ready time.
      if (settled(w.live?.status, w.live?.metadata?.generation, Date.now() - w.lastChange, stableMs)) w.settledAt ??= Date.now();
      else w.settledAt = undefined;
    }
    if (watched.every((w) => w.settledAt !== undefined)) {
      for (const { env, live, settledAt } of watched) {
        const name = env.metadata.name;
        say(`${name} children:`);
        for (const row of componentTable(live?.status)) say(`  ${row}`);
        const phase = live?.status?.phase;
        if (phase === 'Ready') {
          say(`${name} Ready after ${seconds(settledAt!)} s; outputs${ackRunning && !external ? ' (from the emulated AWS)' : ''}:`);
          for (const row of outputLines(live?.status)) say(`  ${row}`);
        } else if (!ackRunning) {
          say(`${name} settled: the children wait for the ACK controllers, which do not run on a bare local control plane`);
        } else {
          // Some kinds have no controller here (docs/ack-versions.md): what the others reported is still worth showing.
          say(`${name} settled in phase ${phase} after ${seconds(settledAt!)} s: the children not Ready above say why (a kind without a controller here, or an AWS error); outputs so far:`);
          for (const row of outputLines(live?.status)) say(`  ${row}`);
        }
      }
      if (exitWhenSettled) return stop(0);
      say('still running; Ctrl-C to stop');
      await new Promise(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

main().catch((err: unknown) => {
  // Ctrl-C stops the cluster under the status loop: its failing request is expected then.
  if (stopping) return;
  process.stderr.write(`start failed: ${(err as Error).stack ?? String(err)}\n`);
  void stop(1);
});
