/**
 * The e2e stack: the local control plane (or the cluster of MPE_KUBECONFIG) with the ACK CRDs from their sources
 * (localcluster/ack-crd-sources.ts; the kinds no controller serves here, cloudfront and wafv2, have CRDs only from
 * ACK_CRDS_DIR), moto (emulated AWS) and every ACK controller binary that was built. Started once per suite by global-setup.ts.
 * Anything started is stopped again when a later step fails, so a failed start leaves no process behind.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exampleEnvironments } from '../../cli/examples.js';
import { startAckControllers, type AckControllers } from '../../localcluster/ack-controllers.js';
import { startAwsEmulator, type AwsEmulator } from '../../localcluster/aws-emulator.js';
import { ACK_CRDS_DIR_ENV, AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { startControlPlane, type ControlPlane } from '../../localcluster/control-plane.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { E2E_ENV, RUN_IDS_EXTRA, e2eNamespace, type E2eInfo } from './env.js';

/** ACK controllers get a few workers per kind: every example environment is reconciled at once (default is 1). */
export const ACK_CONCURRENT_SYNCS = 3;

/** Log directories of earlier runs kept in .cache/e2e/. */
const KEEP_LOG_DIRS = 5;

/** A started stack. */
export interface E2eStack {
  readonly info: E2eInfo;
  stop(): Promise<void>;
}

/** Starts everything; on failure stops what was started and rethrows. */
export async function startE2eStack(log: (line: string) => void = (l) => process.stderr.write(`[e2e] ${l}\n`)): Promise<E2eStack> {
  const t0 = Date.now();
  // The controllers watch only this run's namespaces: with MPE_KUBECONFIG they must not touch anything else there.
  const namespaceSuffix = Math.random().toString(36).slice(2, 6);
  const ids = [...exampleEnvironments().map((e) => e.id), ...RUN_IDS_EXTRA];
  const logRoot = join(REPO_ROOT, '.cache', 'e2e');
  const logDir = join(logRoot, new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(logDir, { recursive: true });
  // Keep the logs of the last few runs only (timestamped names sort chronologically).
  for (const old of readdirSync(logRoot).sort().slice(0, -KEEP_LOG_DIRS)) rmSync(join(logRoot, old), { recursive: true, force: true });
  let plane: ControlPlane | undefined;
  let moto: AwsEmulator | undefined;
  let controllers: AckControllers | undefined;
  const stop = async (): Promise<void> => {
    await controllers?.stop().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    await plane?.stop().catch(() => undefined);
  };
  try {
    // MPE_E2E_NO_REFERENCE_CRDS=1: no CRD from ACK_CRDS_DIR, so the kinds only it provides (CloudFront, WAFv2) are not
    // served, as on a machine without it. Set in this process's environment, so the test files see the same sources.
    if (process.env.MPE_E2E_NO_REFERENCE_CRDS === '1') process.env[ACK_CRDS_DIR_ENV] = '';
    const sources = new AckCrdSources();
    const referenceCrds = sources.installSet().filter((crd) => crd.source.origin === 'dir').map((crd) => crd.name);
    plane = await startControlPlane({ logDir: join(logDir, 'control-plane'), log: (l) => log(l) });
    log(referenceCrds.length ? `CRDs from ${ACK_CRDS_DIR_ENV} (no controller here): ${referenceCrds.join(', ')}` : `no CRD from ${ACK_CRDS_DIR_ENV} (${sources.dirReason || 'none needed'}): CloudFront/WAF kinds are not served`);
    moto = await startAwsEmulator({ logDir });
    log(`moto at ${moto.endpoint} (pid ${moto.pid})`);
    controllers = await startAckControllers({
      kubeconfigPath: plane.kubeconfigPath,
      endpoint: moto.endpoint,
      logDir,
      logLevel: process.env.MPE_E2E_ACK_LOG_LEVEL ?? 'info',
      extraArgs: [
        `--reconcile-default-max-concurrent-syncs=${ACK_CONCURRENT_SYNCS}`,
        `--watch-namespace=${ids.map((id) => e2eNamespace(id, namespaceSuffix)).join(',')}`,
      ],
    });
    if (controllers.running.length === 0) {
      throw new Error('no ACK controller binary in bin/ack: run `bash hack/build-ack-controllers.sh` (part of `npm run setup`)');
    }
    log(`ACK controllers: ${controllers.running.map((c) => `${c.service} ${c.tag}`).join(', ')}; missing: ${controllers.missing.map((m) => m.service).join(', ') || 'none'}`);
    const info: E2eInfo = {
      kubeconfig: plane.kubeconfigPath,
      awsEndpoint: moto.endpoint,
      ackServices: controllers.running.map((c) => c.service),
      ackVersions: Object.fromEntries(controllers.running.map((c) => [c.service, c.tag])),
      missingServices: controllers.missing.map((m) => m.service),
      referenceCrds,
      crds: [...plane.crds],
      logDir,
      startSeconds: Math.round((Date.now() - t0) / 100) / 10,
      startedAt: t0,
      namespaceSuffix,
    };
    log(`stack ready in ${info.startSeconds} s; logs in ${logDir}`);
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Exports `info` to the test files (the workers inherit the environment of Jest's main process). */
export function exportInfo(info: E2eInfo): void {
  process.env[E2E_ENV] = JSON.stringify(info);
}
