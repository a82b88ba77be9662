/**
 * Pure part of `npm run trace`: builds the tree of one MarketplaceEnvironment and its ACK children (grouped by
 * component, like `crossplane beta trace`) from objects read from the API server, and renders it as text or JSON.
 */
import type { ComponentStatus, Condition, MarketplaceEnvironmentStatus } from '../api/index.js';
import { COMPONENT_LABEL, type Component } from '../charts/naming.js';
import { childState } from '../controllers/marketplace-environment/ack-status.js';
import { CHILD_KINDS } from '../controllers/marketplace-environment/child-kinds.js';

/** The ACK conditions the trace shows for every child, in column order. */
export const ACK_CONDITION_TYPES = ['Ready', 'ACK.ResourceSynced', 'ACK.Terminal', 'ACK.Recoverable'] as const;
export type AckConditionType = (typeof ACK_CONDITION_TYPES)[number];

/**
 * Component labels in the order the trace lists them: the spec's sections in the order of the spec (the application
 * tier in the order of the traffic: load balancer, compute, then the registry it pulls from). Anything else follows,
 * alphabetically.
 */
export const COMPONENT_ORDER: readonly Component[] = [
  'network', 'security', 'encryption', 'database', 'cache', 'storage', 'dns', 'cdn', 'firewall', 'loadBalancer', 'compute', 'registry', 'tables', 'functions', 'api', 'identity', 'secrets', 'monitoring',
];

/** A condition as read from a live object (ACK's or the environment's). */
export interface ObservedCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

/** The parts of a live object the trace reads. */
export interface LiveObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string | Date;
  };
  readonly status?: Record<string, unknown> & { readonly conditions?: readonly ObservedCondition[] };
}

/** A live MarketplaceEnvironment. */
export interface LiveEnvironment extends LiveObject {
  readonly status?: MarketplaceEnvironmentStatus & Record<string, unknown>;
}

/** What `trace` read from the cluster. */
export interface TraceInput {
  readonly environment: LiveEnvironment;
  /** Objects labelled with the environment (any of the child kinds). */
  readonly children: readonly LiveObject[];
  /** `apiVersion/kind` of child kinds the API server does not serve (their CRDs are not installed). */
  readonly unservedKinds?: readonly string[];
}

/** One child in the trace. */
export interface TraceChild {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  /** Ready / Progressing / Failed / Waiting: the operator's verdict from status.components, else computed from the live object. */
  readonly state: ComponentStatus['state'];
  readonly reason?: string;
  readonly message?: string;
  /** False when the child is only known from status.components (not created yet, or not listable). */
  readonly live: boolean;
  readonly deleting?: boolean;
  /** The ACK conditions present on the child, in ACK_CONDITION_TYPES order. */
  readonly conditions: readonly ObservedCondition[];
}

/** Children of one spec section. */
export interface TraceComponent {
  readonly component: string;
  readonly children: readonly TraceChild[];
}

/** The whole trace (also the `-o json` document). */
export interface Trace {
  readonly environment: {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name: string;
    readonly generation?: number;
    readonly observedGeneration?: number;
    readonly phase?: string;
    readonly summary?: string;
    readonly deleting: boolean;
    readonly conditions: readonly ObservedCondition[];
    readonly outputs: Record<string, unknown>;
  };
  readonly components: readonly TraceComponent[];
  readonly unservedKinds: readonly string[];
}

// By apiVersion and kind: several API groups share a kind name (lambda and kms Alias, both API Gateways' Stage).
const kindRank = new Map(CHILD_KINDS.map((k, i) => [`${k.apiVersion}/${k.kind}`, i]));
const key = (kind: string | undefined, name: string | undefined) => `${kind}/${name}`;

function componentRank(component: string): number {
  const i = COMPONENT_ORDER.indexOf(component as Component);
  return i < 0 ? COMPONENT_ORDER.length : i;
}

function ackConditions(o: LiveObject): ObservedCondition[] {
  const all = o.status?.conditions ?? [];
  return ACK_CONDITION_TYPES.flatMap((type) => {
    const c = all.find((x) => x.type === type);
    return c ? [{ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) }] : [];
  });
}

/** Builds the trace tree. Children are ordered as in status.components (the render order), extras by kind and name. */
export function buildTrace(input: TraceInput): Trace {
  const env = input.environment;
  const status = env.status;
  const reported = status?.components ?? [];
  const reportedByKey = new Map(reported.map((c, i) => [key(c.kind, c.name), { c, i }]));
  const liveByKey = new Map(input.children.map((o) => [key(o.kind, o.metadata?.name), o]));

  const entries: { component: string; order: number; child: TraceChild }[] = [];
  for (const [k, o] of liveByKey) {
    const rep = reportedByKey.get(k);
    const computed = childState(o);
    const verdict = rep?.c ?? computed;
    entries.push({
      component: o.metadata?.labels?.[COMPONENT_LABEL] ?? rep?.c.component ?? 'other',
      order: rep ? rep.i : reported.length + (kindRank.get(`${o.apiVersion}/${o.kind}`) ?? CHILD_KINDS.length),
      child: {
        apiVersion: o.apiVersion,
        kind: o.kind ?? '?',
        name: o.metadata?.name ?? '?',
        state: verdict.state,
        ...(verdict.reason ? { reason: verdict.reason } : {}),
        ...(verdict.message ? { message: verdict.message } : {}),
        live: true,
        ...(o.metadata?.deletionTimestamp ? { deleting: true } : {}),
        conditions: ackConditions(o),
      },
    });
  }
  reported.forEach((c, i) => {
    if (liveByKey.has(key(c.kind, c.name))) return;
    entries.push({
      component: c.component,
      order: i,
      child: { kind: c.kind, name: c.name, state: c.state, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}), live: false, conditions: [] },
    });
  });
  entries.sort((a, b) => a.order - b.order || a.child.kind.localeCompare(b.child.kind) || a.child.name.localeCompare(b.child.name));

  const groups = new Map<string, TraceChild[]>();
  for (const e of entries) groups.set(e.component, [...(groups.get(e.component) ?? []), e.child]);
  const components = [...groups.entries()]
    .sort(([a], [b]) => componentRank(a) - componentRank(b) || a.localeCompare(b))
    .map(([component, children]) => ({ component, children }));

  return {
    environment: {
      apiVersion: env.apiVersion,
      kind: env.kind,
      namespace: env.metadata?.namespace,
      name: env.metadata?.name ?? '?',
      generation: env.metadata?.generation,
      observedGeneration: status?.observedGeneration,
      phase: status?.phase,
      summary: status?.summary,
      deleting: Boolean(env.metadata?.deletionTimestamp),
      conditions: (status?.conditions ?? []).map((c: Condition) => ({ ...c })),
      outputs: (status?.outputs ?? {}) as Record<string, unknown>,
    },
    components,
    unservedKinds: [...(input.unservedKinds ?? [])].sort(),
  };
}

/** Flattens outputs into `dotted.key → text` rows: lists of scalars comma-joined, lists of named objects by name. */
export function flattenOutputs(value: unknown, prefix = ''): [string, string][] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return value.length ? [[prefix, value.join(', ')]] : [];
    return value.flatMap((v, i) => {
      const label = v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' ? (v as { name: string }).name : String(i);
      const { name: _name, ...rest } = v as Record<string, unknown>;
      return flattenOutputs(label === String(i) ? v : rest, `${prefix}[${label}]`);
    });
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flattenOutputs(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, String(value)]];
}

/** Text rendering options. */
export interface FormatOptions {
  /** Longest message shown before it is cut with "..."; 0 for no limit (`-o wide`). */
  readonly maxMessage?: number;
}

/** One line, whitespace collapsed, cut to `max` characters. */
export function shortMessage(message: string | undefined, max = 100): string {
  const one = (message ?? '').replace(/\s+/g, ' ').trim();
  return max > 0 && one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** `reason: message`, without the reason when the message already starts with it (as AWS error messages do). */
function reasonMessage(reason: string | undefined, message: string | undefined, max: number): string {
  const text = shortMessage(message, max);
  return reason && !text.startsWith(reason) ? [reason, text].filter(Boolean).join(': ') : text;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Whether a condition is in its expected state (Ready/Synced True, Terminal/Recoverable not True). */
function nominal(c: ObservedCondition): boolean {
  return c.type === 'ACK.Terminal' || c.type === 'ACK.Recoverable' ? c.status !== 'True' : c.status === 'True';
}

const conditionStatus = (child: TraceChild, type: AckConditionType) => child.conditions.find((c) => c.type === type)?.status ?? '-';

/** The trace as text: environment header, conditions, outputs, then the children tree. */
export function formatTrace(trace: Trace, options: FormatOptions = {}): string {
  const max = options.maxMessage ?? 100;
  const env = trace.environment;
  const out: string[] = [];
  const ns = env.namespace ? `${env.namespace}/` : '';
  const generation = `generation ${env.generation ?? '?'}, observed ${env.observedGeneration ?? 'never'}` + (env.generation !== undefined && env.observedGeneration !== env.generation ? ' (stale)' : '');
  out.push(`${env.kind ?? 'MarketplaceEnvironment'} ${ns}${env.name}`);
  out.push(`  phase ${env.phase ?? '(none)'}${env.deleting ? ' (being deleted)' : ''}, children ready ${env.summary ?? '?'}, ${generation}`);

  out.push('', 'CONDITIONS');
  if (env.conditions.length === 0) out.push('  (none: the operator has not reported a status yet)');
  else out.push(...table([['TYPE', 'STATUS', 'REASON', 'MESSAGE'], ...env.conditions.map((c) => [c.type, c.status, c.reason ?? '', shortMessage(c.message, max)])]).map((l) => `  ${l}`));

  const outputs = flattenOutputs(env.outputs);
  out.push('', 'OUTPUTS');
  if (outputs.length === 0) out.push('  (none yet)');
  else out.push(...table(outputs.map(([k, v]) => [k, v])).map((l) => `  ${l}`));

  out.push('', 'CHILDREN');
  if (trace.components.length === 0) {
    out.push(`  (none found with label marketplace.platform.dev/environment=${env.name})`);
  } else {
    // Rows: [name cell, state, Ready, Synced, Terminal, Recoverable]; detail lines are kept apart and aligned to the name.
    const rows: { cells: string[]; details: string[]; detailPrefix: string }[] = [];
    rows.push({ cells: ['NAME', 'STATE', 'READY', 'SYNCED', 'TERMINAL', 'RECOVERABLE'], details: [], detailPrefix: '' });
    for (const group of trace.components) {
      rows.push({ cells: [group.component, '', '', '', '', ''], details: [], detailPrefix: '' });
      group.children.forEach((child, i) => {
        const last = i === group.children.length - 1;
        const suffix = (child.live ? '' : ' (not in cluster)') + (child.deleting ? ' (deleting)' : '');
        const details = child.conditions.filter((c) => !nominal(c)).map((c) => `${c.type}=${c.status} ${reasonMessage(c.reason, c.message, max)}`.trimEnd());
        const stateDetail = reasonMessage(child.reason, child.message, max);
        // The state's own reason/message, unless a condition line above already says it.
        const stateText = shortMessage(child.message, 0);
        const shown = child.conditions.some((c) => !nominal(c) && (stateText ? shortMessage(c.message, 0).includes(stateText) : c.reason === child.reason));
        if (child.state !== 'Ready' && stateDetail && !shown) details.push(`${child.state}: ${stateDetail}`);
        rows.push({
          cells: [`${last ? '└─' : '├─'} ${child.kind}/${child.name}${suffix}`, child.state, ...ACK_CONDITION_TYPES.map((t) => conditionStatus(child, t))],
          details,
          detailPrefix: last ? '     ' : '│    ',
        });
      });
    }
    const lines = table(rows.map((r) => r.cells));
    rows.forEach((r, i) => {
      out.push(lines[i]!);
      r.details.forEach((d) => out.push(`${r.detailPrefix}${d}`));
    });
  }
  if (trace.unservedKinds.length > 0) {
    out.push('', `Not checked (the API server does not serve these kinds): ${trace.unservedKinds.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** The trace as the `-o json` document. */
export function traceJson(trace: Trace): string {
  return `${JSON.stringify(trace, null, 2)}\n`;
}
