/**
 * Reads kube-apiserver's Prometheus exposition (`GET /metrics`) for the write requests it served: the counter
 * `apiserver_request_total{verb, group, resource, subresource, code, ...}`. Pure.
 */

/** One sample of a counter: its labels and value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The verbs kube-apiserver counts for writes (APPLY is a server-side-apply PATCH). */
export const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY'] as const;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of metric `name` in Prometheus text format `text`. */
export function parseSamples(text: string, name: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = LINE.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ labels, value: Number(m[3]) });
  }
  return samples;
}

/** Total of `apiserver_request_total` per write verb among the samples `filter` accepts. */
export function writesByVerb(text: string, filter: (labels: Readonly<Record<string, string>>) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(WRITE_VERBS.map((v) => [v, 0]));
  for (const s of parseSamples(text, 'apiserver_request_total')) {
    const verb = s.labels.verb ?? '';
    if (verb in out && filter(s.labels)) out[verb]! += s.value;
  }
  return out;
}

/** `after - before` per key (keys of either side; a missing key counts as 0). */
export function delta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return Object.fromEntries([...keys].map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
}

/**
 * Whether a request series is one the operator could have sent: its own kind, the ACK kinds, Secrets and Events.
 * (The API server does not label requests by client; kube-controller-manager's Lease renewals and the like are
 * thereby left out.)
 */
export function isOperatorResource(labels: Readonly<Record<string, string>>): boolean {
  const group = labels.group ?? '';
  const resource = labels.resource ?? '';
  if (group === 'marketplace.platform.dev' || group.endsWith('.services.k8s.aws')) return true;
  if (group === 'events.k8s.io') return true;
  return group === '' && (resource === 'secrets' || resource === 'events');
}

/** `apiserver_request_total` summed by `VERB resource[/subresource]` (every verb, reads included). */
export function requestsByVerbAndResource(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(text, 'apiserver_request_total')) {
    const { verb = '', resource = '', subresource = '' } = s.labels;
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** Seconds the API server spent serving requests (`apiserver_request_duration_seconds_sum`), by `VERB resource`. */
export function requestSecondsByVerbAndResource(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(text, 'apiserver_request_duration_seconds_sum')) {
    const { verb = '', resource = '', subresource = '' } = s.labels;
    if (verb === 'WATCH') continue;
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
