/**
 * `npx tsx bench/ack-steady.ts [--window-s 300] [--resync-s 10] [--ack-resync-s 15] [--out FILE]`: the operator's
 * writes in steady state against the real ACK controllers on emulated AWS (issue 15, item 3), over longer windows
 * than the e2e test (test/e2e/steady-state.test.ts) counts. It starts a local control plane (or uses MPE_KUBECONFIG)
 * and moto, then runs test/e2e/helpers/steady-run.ts (steady-state.ts): settle, a steady window, one spec change, another steady
 * window, delete. Writes the figures as JSON (`ack_steady_writes`, per-kind detail under `kinds`) to
 * bench/results/ack-steady.json and prints a summary. Needs `npm run setup` (bin/ack, .cache/venv); takes about
 * 2 × window + 6 minutes on 2 cores. Exit code 1 when the operator wrote anything in a steady window, or the change
 * was not applied exactly once to each child it changes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAwsEmulator } from '../localcluster/aws-emulator.js';
import { startControlPlane } from '../localcluster/control-plane.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { runAckSteadyState } from '../test/e2e/helpers/steady-run.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    'window-s': { type: 'string', default: '300' },
    'resync-s': { type: 'string', default: '10' },
    'ack-resync-s': { type: 'string', default: '15' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'ack-steady.json') },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
};
const windowS = positive('window-s', args['window-s']);
const resyncS = positive('resync-s', args['resync-s']);
const ackResyncS = positive('ack-resync-s', args['ack-resync-s']);
const log = (line: string) => process.stderr.write(`[ack-steady] ${line}\n`);

const startedAt = new Date();
const logDir = join(REPO_ROOT, '.cache', 'ack-steady', startedAt.toISOString().replace(/[:.]/g, '-'));
mkdirSync(logDir, { recursive: true });
const plane = await startControlPlane({ logDir: join(logDir, 'control-plane'), log });
let exitCode = 1;
try {
  const moto = await startAwsEmulator({ logDir });
  try {
    const result = await runAckSteadyState({
      kubeconfigPath: plane.kubeconfigPath,
      awsEndpoint: moto.endpoint,
      logDir,
      namespaceSuffix: Math.random().toString(36).slice(2, 6),
      crds: plane.crds,
      resyncS,
      ackResyncS,
      windowS,
      log,
    });
    const out = { ...result, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), logDir, command: `npx tsx bench/ack-steady.ts ${process.argv.slice(2).join(' ')}`.trim() };
    mkdirSync(dirname(args.out!), { recursive: true });
    writeFileSync(args.out!, `${JSON.stringify(out, null, 2)}\n`);
    const changeApplies = result.change.figures.operator.apply;
    const applied = Object.entries(result.change.figures.applies);
    const oncePerChild = applied.length === result.change.changed.length && applied.every(([k, n]) => n === 1 && result.change.changed.includes(k));
    const exact = changeApplies === result.change.changed.length && oncePerChild;
    process.stdout.write(
      [
        `ack_steady_writes: ${result.ack_steady_writes} (kube-apiserver: ${result.ack_steady_writes_apiserver ?? 'n/a'}) over 2 × ${windowS} s; operator resync ${resyncS} s, ACK resync ${ackResyncS} s`,
        `reconciles in the windows: ${result.steady.reconciles} + ${result.afterChange.reconciles}; until settled: ${result.creation.applies} applies to ${result.creation.childrenApplied} children`,
        `change: ${changeApplies} applies for ${result.change.changed.length} changed children (${exact ? 'exactly one each' : 'NOT one each'}), settled in ${result.change.settleSeconds} s`,
        ...Object.entries(result.kinds).map(([k, f]) => `  ${k.padEnd(34)} ${String(f.children).padStart(3)} children  writes ${f.steadyWrites}/${f.changeApplies}/${f.afterChangeWrites}  ACK updates ${f.ackUpdates}${f.ackUpdatePaths.length ? ` (${f.ackUpdatePaths.join(', ')})` : ''}`),
        `written to ${args.out}; logs in ${logDir}`,
      ].join('\n') + '\n',
    );
    exitCode = result.ack_steady_writes === 0 && exact ? 0 : 1;
  } finally {
    await moto.stop();
  }
} finally {
  await plane.stop();
}
process.exit(exitCode);
