/** The e2e results: what each environment did, rendered as Markdown for the log and docs/e2e-results.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MarketplaceEnvironmentStatus } from '../../../api/index.js';
import { CHILD_KINDS, type ChildKind } from '../../../charts/child-kinds.js';
import type { RenderedObject } from '../../../charts/render.js';
import { REPO_ROOT } from '../../../localcluster/paths.js';
import type { E2eInfo } from '../env.js';
import type { AppTierReport } from './app-tier.js';
import { isSynced, serviceOf, type Child } from './children.js';
import type { DeletionRecorder } from './deletion-recorder.js';
import type { Expected } from './expectations.js';
import type { ServerlessReport } from './serverless.js';

/** The generated results page. */
export const RESULTS_PATH = join(REPO_ROOT, 'docs', 'e2e-results.md');
/** Line global-teardown.ts replaces with the measured suite duration. */
export const DURATION_PLACEHOLDER = 'Suite duration: (written by the global teardown)';

/** One environment of the suite and what was observed of it. */
export interface Run {
  /** `000`…`004`, or `rejected`. */
  id: string;
  file?: string;
  manifest: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  name: string;
  namespace: string;
  region: string;
  policy: 'Retain' | 'Delete';
  rendered: RenderedObject[];
  kinds: ChildKind[];
  /** The settled state of every component on this stack (helpers/expectations.ts). */
  expected: Expected[];
  /** Every component is expected Ready, so the environment must go Ready. */
  expectReady: boolean;
  appliedAt?: number;
  /** ms from apply to the first Ready / every child expected Ready ready / Degraded status. */
  readyMs?: number;
  availableMs?: number;
  degradedMs?: number;
  deleteStartedAt?: number;
  env?: { status?: MarketplaceEnvironmentStatus };
  /** Last observation of the children before the deletion. */
  children?: Child[];
  deletion?: { recorder: DeletionRecorder; seconds?: number };
  /** Kinds of the children found in AWS after the deletion (kept) and not found (gone). */
  aws?: { kept: string[]; gone: string[] };
  /** The component message of the rejected child. */
  rejection?: string;
  /** The application tier as moto showed it before the deletion. */
  appTier?: AppTierReport;
  /** The serverless tier's served children (VPC endpoints, KMS alias) as moto showed them before the deletion. */
  serverless?: ServerlessReport;
}

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : `${Math.round(ms / 1000)} s`);

/** `yes` / `no: reason` for the children of one kind in one run. */
function cell(run: Run, kind: ChildKind): string {
  const rendered = run.rendered.filter((o) => o.apiVersion === kind.apiVersion && o.kind === kind.kind);
  if (rendered.length === 0) return '';
  if (!run.children) return 'not observed';
  const live = run.children.filter((c) => c.kind === kind.kind && c.apiVersion === kind.apiVersion);
  const synced = live.filter(isSynced).length;
  const count = rendered.length > 1 ? ` ×${rendered.length}` : '';
  if (synced === rendered.length) return `yes${count}`;
  const reasons = [...new Set((run.env?.status?.components ?? []).filter((c) => c.kind === kind.kind && c.state !== 'Ready').map((c) => c.reason ?? c.state))];
  return `**no**${synced > 0 ? ` (${synced}/${rendered.length})` : count}: ${reasons.join(', ') || 'not synced'}`;
}

function notReady(run: Run): string {
  const bad = (run.env?.status?.components ?? []).filter((c) => c.state !== 'Ready');
  return bad.map((c) => `${c.kind} (${c.reason ?? c.state})`).join(', ') || '—';
}

function deletionCell(run: Run): string {
  const d = run.deletion;
  if (!d) return 'not run';
  if (d.seconds === undefined) return `**not finished**: ${d.recorder.stuck().map((r) => `${r.kind}/${r.name}`).join(', ')}`;
  return `${d.seconds} s`;
}

function orderCell(run: Run): string {
  const d = run.deletion;
  if (!d) return '—';
  if (d.recorder.violations.length) return `**no**: ${d.recorder.violations[0]}`;
  return `yes (${d.recorder.waves().length} waves)`;
}

function awsCell(run: Run): string {
  if (!run.aws) return '—';
  const count = (kinds: string[]) => {
    const n = new Map<string, number>();
    for (const k of kinds) n.set(k, (n.get(k) ?? 0) + 1);
    return [...n].map(([k, c]) => (c > 1 ? `${k} ×${c}` : k)).join(', ');
  };
  return `still in AWS: ${run.aws.kept.length ? count(run.aws.kept) : 'nothing'}; gone: ${run.aws.gone.length} resources`;
}

/** Renders the results, writes docs/e2e-results.md and returns the Markdown. */
export function writeResults(all: readonly Run[], info: E2eInfo): string {
  const examples = all.filter((r) => r.file);
  const kinds = CHILD_KINDS.filter((k) => examples.some((r) => r.rendered.some((o) => o.kind === k.kind && o.apiVersion === k.apiVersion)));
  const moto = readFileSync(join(REPO_ROOT, 'localcluster', 'moto', 'requirements.txt'), 'utf8').match(/moto\[server\]==(\S+)/)?.[1] ?? '?';
  const lines: string[] = [
    '# End-to-end results on emulated AWS (generated)',
    '',
    `<!-- generated by \`npm run e2e\` (test/e2e/environments.test.ts); run ${new Date(info.startedAt).toISOString()} -->`,
    'Generated by `npm run e2e` (test/e2e/); do not edit. How the suite works: [e2e.md](e2e.md#the-e2e-suite).',
    '',
    `Run of ${new Date(info.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC: the operator in-process, the local control plane, moto ${moto}, ` +
      `ACK controllers ${Object.entries(info.ackVersions).map(([s, t]) => `${s} ${t}`).join(', ')}. ` +
      `No controller: ${info.missingServices.join(', ') || 'none'} (${info.referenceCrds.length ? 'their pinned reference CRDs are installed, so their objects are created and wait for a controller' : 'their CRDs are not installed, so the API server does not serve those kinds'}). ` +
      `All environments were applied at once, each in its own namespace, on a shared 2-core machine.`,
    '',
    '## ACK.ResourceSynced per example and kind',
    '',
    `| kind | ${examples.map((r) => r.id).join(' | ')} |`,
    `| --- | ${examples.map(() => '---').join(' | ')} |`,
    ...kinds.map((k) => `| ${serviceOf(k.apiVersion)} ${k.kind} | ${examples.map((r) => cell(r, k)).join(' | ')} |`),
    '',
    'yes: every object of that kind reached `ACK.ResourceSynced=True` (×n: n objects). no: the reason in the environment\'s `status.components`.',
    '',
    '## Time to Ready, deletion and AWS afterwards',
    '',
    '| example | deletionPolicy | children | Ready after | every child expected Ready ready after | phase | not ready | deletion took | waves in order | AWS after deletion |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...all.map((r) => `| ${r.file ?? r.id} | ${r.policy} | ${r.rendered.length} | ${r.expectReady ? secs(r.readyMs) : 'not expected'} | ${secs(r.availableMs)} | ${r.env?.status?.phase ?? '?'} | ${notReady(r)} | ${deletionCell(r)} | ${orderCell(r)} | ${awsCell(r)} |`),
    '',
    'Times are from applying the environment to the first status showing it (sampled every second). "Every child expected Ready": every child whose ACK controller runs here and that waits for no kind without one is Ready in `status.components`.',
    '',
    ...appTier(examples),
    ...serverless(examples),
    ...deletionTimeline(examples.find((r) => r.id === '000') ?? examples[0]),
    '## A child AWS rejects',
    '',
    `\`rejected\`: example 004 with a backup window (03:00-04:00) that overlaps the maintenance window (sun:03:30-sun:04:30). ` +
      `Phase ${rejected(all)?.env?.status?.phase ?? '?'} after ${secs(rejected(all)?.degradedMs)}; the DBInstance component says: \`${rejected(all)?.rejection ?? 'not observed'}\`.`,
    '',
    '## Outputs (from the emulated AWS)',
    '',
    ...examples.flatMap((r) => [`${r.file}:`, '', '```json', JSON.stringify(r.env?.status?.outputs ?? {}, null, 1), '```', '']),
    `Stack start (control plane, CRDs, moto, ${info.ackServices.length} controllers): ${info.startSeconds} s. ` +
      `SDK retries of requests moto had already executed, answered with the first answer (docs/e2e.md, moto patches): ${replays(info)}.`,
    '',
    DURATION_PLACEHOLDER,
    '',
  ];
  const markdown = lines.join('\n');
  writeFileSync(RESULTS_PATH, markdown);
  return markdown;
}

/** The application tier in moto per example, and what waited instead. */
function appTier(examples: readonly Run[]): string[] {
  const rows = examples.filter((r) => r.appTier);
  if (rows.length === 0) return [];
  return [
    '## Application tier in moto (before the deletion)',
    '',
    '| example | in moto (exactly once each) | waiting, absent from moto |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.id} | ${r.appTier!.found.join('; ')} | ${r.appTier!.absent.map((a) => `${a} (${waitingOf(r, a)})`).join('; ') || '—'} |`),
    '',
  ];
}

/** The serverless tier's served children in moto per example. */
function serverless(examples: readonly Run[]): string[] {
  const rows = examples.filter((r) => r.serverless);
  if (rows.length === 0) return [];
  return [
    '## Serverless tier in moto (before the deletion)',
    '',
    'Only the VPC endpoints (ec2) and the KMS alias (kms) have a controller here; tables, functions, layers, APIs and log groups do not ([e2e.md](e2e.md#the-serverless-tier-issue-13)).',
    '',
    '| example | region | in moto (exactly once each, wired as the spec asks) |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.id} | ${r.region} | ${r.serverless!.found.join('; ') || '—'} |`),
    '',
  ];
}

/** Why an expected-not-ready child waits, as `status.components` said. */
function waitingOf(run: Run, what: string): string {
  const c = run.env?.status?.components?.find((x) => `${x.kind}/${x.name}` === what);
  return c ? `${c.reason ?? c.state}${c.message ? `: ${c.message.slice(0, 160)}` : ''}`.replace(/\|/g, '\\|') : 'not observed';
}

/** The deletion waves of one run as seen by its DeletionRecorder. */
function deletionTimeline(run: Run | undefined): string[] {
  const waves = run?.deletion?.recorder.waves();
  if (!run || !waves?.length) return [];
  const t = (s: number | undefined) => (s === undefined ? '—' : `${s} s`);
  return [
    `Deletion of ${run.file} wave by wave (seconds after the environment's delete; "—": deleted and gone between two samples):`,
    '',
    '| wave | kinds | children | first seen deleting | last gone |',
    '| --- | --- | --- | --- | --- |',
    ...waves.map((w) => `| ${w.wave} | ${w.kinds.join(', ')} | ${w.children} | ${t(w.firstDeletingS)} | ${t(w.lastGoneS)} |`),
    '',
  ];
}

/** How many answers moto replayed to retried SDK attempts during the run (localcluster/moto/patches.py). */
function replays(info: E2eInfo): number {
  const log = join(info.logDir, 'moto.log');
  return existsSync(log) ? (readFileSync(log, 'utf8').match(/^\[moto\] replayed /gm) ?? []).length : 0;
}

const rejected = (all: readonly Run[]) => all.find((r) => r.id === 'rejected');
