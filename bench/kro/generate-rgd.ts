/**
 * Generates bench/kro/marketplace-three-tier.rgd.yaml: a kro ResourceGraphDefinition that creates the children we
 * render for examples/000-marketplace-three-tier.yaml, one kro resource per child.
 *
 * How: the example is rendered twice, under two sets of sentinel values for the instance's name, namespace and
 * environmentSuffix (the second longer, to catch length-dependent names); every string that differs between the two
 * must become the same text once each sentinel is replaced by its kro expression (`${schema.metadata.name}`, ...),
 * or generation fails (a hashed or truncated name cannot be spelled in kro). Required late bindings (charts/bindings.ts)
 * become CEL references to the source's status, which kro holds back exactly as our controller does; our
 * controller-only metadata is dropped. What cannot match is listed in the file's header (and {@link differences}).
 *
 * `npx tsx bench/kro/generate-rgd.ts` writes the file; `--check` exits 1 when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { validateEnvironment } from '../../api/index.js';
import { BINDINGS_ANNOTATION, GENERATED_SECRETS_ANNOTATION, PREFIX, renderEnvironment, VALUE_PLACEHOLDER, type Binding, type RenderedObject } from '../../charts/index.js';
import { bindingsOf } from '../../controllers/marketplace-environment/resolve-bindings.js';
import { AWS_GAPS_ANNOTATION } from '../../charts/aws-gaps.js';
import { OUTPUTS_ANNOTATION } from '../../charts/outputs.js';
import { instantiate, loadExamples, type Manifest } from '../lib/workload.js';
import type { Rgd, RgdResource } from './evaluate.js';
import { KRO_EXAMPLE, KRO_INSTANCE, KRO_RGD_PATH } from './rgd.js';

/** One instance parameter: the kro expression for it and the two sentinel values it is rendered with. */
export interface Parameter {
  readonly cel: string;
  readonly sentinels: readonly [string, string];
  /** Puts a value of the parameter into a manifest. */
  readonly set: (m: Manifest, value: string) => void;
}

/** The instance's parameters. Sentinels occur nowhere else and none contains another. */
export const PARAMETERS: readonly Parameter[] = [
  { cel: 'schema.metadata.name', sentinels: ['zqxname', 'wvkname-a-longer-name-to-check-length'], set: (m, v) => (m.metadata.name = v) },
  { cel: 'schema.metadata.namespace', sentinels: ['zqxns', 'wvkns-a-longer-namespace-to-check-the-length'], set: (m, v) => (m.metadata.namespace = v) },
  { cel: 'schema.spec.environmentSuffix', sentinels: ['zqxsfx', 'wvksfx-long1'], set: (m, v) => (m.spec.environmentSuffix = v) },
];

/** The instance's SimpleSchema: the same constraints as our CRD's spec.environmentSuffix (api/spec.ts). */
export const INSTANCE_SCHEMA = {
  environmentSuffix: 'string | default="prod" pattern="^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$" maxLength=12 immutable=true description="Suffix of every AWS name (<project>-<component>-<suffix>), unique per environment in an account and region"',
};

/** A place where the RGD cannot create what we render, and why. */
export interface Difference {
  /** `<Kind>/<name template>`, or `*` for every child. */
  readonly child: string;
  /** JSON pointer, or a metadata key. */
  readonly field: string;
  readonly why: string;
}

/** Differences that hold for every child, whatever the render. */
const GENERAL: readonly Difference[] = [
  { child: '*', field: 'metadata.labels.app.kubernetes.io/managed-by', why: 'kro sets it to "kro" on every child it applies (ours: marketplace-operator), and adds its own kro.run/* and applyset.kubernetes.io/part-of labels and the internal.kro.run/apply-order annotation' },
  { child: '*', field: 'metadata.ownerReferences', why: 'ours point at the MarketplaceEnvironment; kro sets none (it finds its children by applyset labels and deletes them itself, in reverse order of its graph, where only CEL references are edges: not our deletion waves)' },
  { child: '*', field: `metadata.annotations.${BINDINGS_ANNOTATION}`, why: 'instructions to our controller; the required bindings are CEL references here' },
  { child: '*', field: 'late bindings', why: 'kro holds a child back until every resource it references is ready (readyWhen: ACK.ResourceSynced) and the field exists; we wait for the field only. With no ACK controller both hold back the same children' },
];

const camel = (s: string) => s.replace(/^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]/, (m) => m.toLowerCase());
const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');

/** The kro resource id of a child: lowerCamelCase of its kind and its name without the environment's prefix. */
export function resourceId(kind: string, nameTemplate: string): string {
  const prefix = '${schema.metadata.name}-';
  if (!nameTemplate.startsWith(prefix)) throw new Error(`${kind}/${nameTemplate}: name does not start with the environment's name`);
  const id = camel(kind) + pascal(nameTemplate.slice(prefix.length));
  if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) throw new Error(`${kind}/${nameTemplate}: ${id} is not a valid kro resource id`);
  return id;
}

/** `s` as kro text: a literal `${` escaped (kro would read it as an expression), each sentinel as its expression. */
function substitute(s: string, sentinelIndex: 0 | 1, params: readonly Parameter[]): string {
  let out = s.split('${').join('${"${"}');
  for (const p of params) out = out.split(p.sentinels[sentinelIndex]).join(`\${${p.cel}}`);
  return out;
}

/**
 * The kro template of a value rendered twice (`a` with the first sentinels, `b` with the second).
 * @throws naming the path when they differ in a way substituting the parameters does not explain.
 */
export function parameterize(a: unknown, b: unknown, path: string, params: readonly Parameter[] = PARAMETERS): unknown {
  const fail = (what: string): never => {
    throw new Error(`${path}: ${what}; kro can only substitute ${params.map((p) => p.cel).join(', ')} (a hashed or truncated value cannot be expressed)`);
  };
  if (typeof a === 'string') {
    if (typeof b !== 'string') return fail('a string in one render only');
    const [ta, tb] = [substitute(a, 0, params), substitute(b, 1, params)];
    return ta === tb ? ta : fail(`${JSON.stringify(a.slice(0, 120))} and ${JSON.stringify(b.slice(0, 120))} differ`);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return fail('lists of different lengths');
    return a.map((v, i) => parameterize(v, b[i], `${path}/${i}`, params));
  }
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return fail('an object in one render only');
    const [ka, kb] = [Object.keys(a), Object.keys(b)];
    if (ka.join('\n') !== kb.join('\n')) return fail(`keys differ (${ka.filter((k) => !kb.includes(k)).join(', ')})`);
    return Object.fromEntries(ka.map((k) => [k, parameterize((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`, params)]));
  }
  return a === b ? a : fail(`${String(a)} and ${String(b)} differ`);
}

/** CEL of a dot path (`status.ackResourceMetadata.arn`) under resource `id`. */
function celPath(id: string, dotPath: string): string {
  return id + dotPath.split('.').map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `.${p}` : fail(p))).join('');
  function fail(part: string): never {
    throw new Error(`${id}.${dotPath}: part ${part} has no CEL spelling`);
  }
}

/** CEL string literal (JSON's escapes are CEL's). */
const lit = (s: string) => JSON.stringify(s);

/** The first string field of `obj` equal to `value`, as a dot path: the source of a constant-valued binding. */
function pathOfValue(obj: unknown, value: string, at = ''): string | undefined {
  if (obj === value) return at.slice(1);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  for (const [k, v] of Object.entries(obj)) {
    const found = pathOfValue(v, value, `${at}.${k}`);
    if (found) return found;
  }
  return undefined;
}

/** Sets `value` at a JSON pointer, creating missing objects (as resolve-bindings.ts does). */
function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur = root;
  for (const part of parts.slice(0, -1)) cur = (cur[part] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]!] = value;
}

/** A child as rendered under both sentinel sets, with its kro id and parameterized template. */
interface Child {
  readonly id: string;
  /** `<Kind>/<name>` under the first sentinels, for messages. */
  readonly name: string;
  readonly template: Record<string, unknown>;
  readonly bindings: Binding[];
}

/**
 * Writes the required bindings of `child` into its template as kro text: each value is a CEL reference to the
 * source's field (cut with `after`/`before`, placed in `template`), joined bindings concatenated. A binding whose
 * template has no `{{value}}` only waits for the source: it becomes a reference to the source field holding that
 * same constant. Non-required bindings are left out (returned): kro cannot apply a child first and add a field
 * later, because any reference gates the whole child on the source's readiness.
 */
function applyBindings(child: Child, idOf: (b: Binding) => string, templateOf: (id: string) => unknown, note: (d: Difference) => void): Binding[] {
  const skipped: Binding[] = [];
  const joined = new Map<string, { separator: string; parts: string[] }>();
  for (const b of child.bindings) {
    if (!b.required) {
      skipped.push(b);
      continue;
    }
    if (b.where || b.json) throw new Error(`${child.id} ${b.path}: a ${b.where ? 'where' : 'json'} binding has no kro spelling here`);
    const src = idOf(b);
    let text: string;
    if (b.template !== undefined && !b.template.includes(VALUE_PLACEHOLDER)) {
      const at = pathOfValue(templateOf(src), b.template);
      if (!at) throw new Error(`${child.id} ${b.path}: waits for ${src} but no field of ${src} holds ${JSON.stringify(b.template)}`);
      text = `\${${celPath(src, at)}}`;
      note({ child: child.name, field: b.path, why: `same value; we hold the child until ${b.from.kind}/${b.from.name} reports ${b.fieldPath}, kro until that child is ready, through a reference to its ${at}` });
    } else {
      let v = celPath(src, b.fieldPath);
      if (b.after !== undefined) v = `${v}.substring(${v}.indexOf(${lit(b.after)}) + ${b.after.length})`;
      if (b.before !== undefined) v = `${v}.substring(0, ${v}.lastIndexOf(${lit(b.before)}))`;
      text = b.template === undefined ? `\${${v}}` : b.template.split(VALUE_PLACEHOLDER).join(`\${${v}}`);
    }
    if (b.join === undefined) setAt(child.template, b.path, text);
    else {
      const entry = joined.get(b.path) ?? { separator: b.join, parts: [] };
      entry.parts.push(text);
      joined.set(b.path, entry);
    }
  }
  for (const [path, { separator, parts }] of joined) setAt(child.template, path, parts.join(separator));
  if (JSON.stringify(child.template).includes(VALUE_PLACEHOLDER)) throw new Error(`${child.id}: a ${VALUE_PLACEHOLDER} placeholder is left`);
  return skipped;
}

/** The example rendered with the sentinels of set `i`. */
function renderWith(i: 0 | 1, params: readonly Parameter[]): RenderedObject[] {
  const m = instantiate(loadExamples().find((e) => e.id === KRO_EXAMPLE)!, '', '');
  for (const p of params) p.set(m, p.sentinels[i]);
  return renderEnvironment(validateEnvironment(m));
}

const kindName = (o: RenderedObject) => `${o.kind}/${o.metadata.name}`;

/**
 * `o` without what only our controller reads: its annotations (prefix marketplace.platform.dev/: bindings, outputs,
 * AWS gaps), ownerReferences, and the managed-by label, which kro overwrites with "kro" on every child.
 */
function ownMetadataDropped(o: RenderedObject): RenderedObject {
  const annotations = Object.fromEntries(Object.entries(o.metadata.annotations).filter(([k]) => !k.startsWith(`${PREFIX}/`)));
  const labels = Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => k !== 'app.kubernetes.io/managed-by'));
  const { ownerReferences: _owners, ...metadata } = { ...o.metadata, labels, annotations };
  return { ...o, metadata };
}

/** The RGD for the example, and the differences from our render. */
export function generateRgd(params: readonly Parameter[] = PARAMETERS): { rgd: Rgd; differences: Difference[] } {
  const [a, b] = [renderWith(0, params), renderWith(1, params)];
  if (a.length !== b.length) throw new Error(`the renders have ${a.length} and ${b.length} children`);
  const differences: Difference[] = [...GENERAL];
  const children: Child[] = a.map((oa, i) => {
    const [ra, rb] = [ownMetadataDropped(oa), ownMetadataDropped(b[i]!)];
    const template = parameterize(ra, rb, kindName(oa), params) as RenderedObject & Record<string, unknown>;
    const bindings = parameterize(bindingsOf(oa), bindingsOf(b[i]!), `${kindName(oa)} bindings`, params) as Binding[];
    const child = kindName(template);
    const annotations = oa.metadata.annotations;
    if (annotations[GENERATED_SECRETS_ANNOTATION]) throw new Error(`${child}: generated Secrets have no kro equivalent`);
    if (annotations[OUTPUTS_ANNOTATION]) differences.push({ child, field: `metadata.annotations.${OUTPUTS_ANNOTATION}`, why: 'feeds our status.outputs; the kro instance has no outputs' });
    for (const gap of annotations[AWS_GAPS_ANNOTATION] ? (JSON.parse(annotations[AWS_GAPS_ANNOTATION]) as { type: string }[]) : []) {
      differences.push({ child, field: `metadata.annotations.${AWS_GAPS_ANNOTATION}`, why: `our controller does ${gap.type} through the AWS API (no ACK kind); kro cannot` });
    }
    return { id: resourceId(template.kind, template.metadata.name), name: child, template, bindings };
  });
  const ids = new Set(children.map((c) => c.id));
  if (ids.size !== children.length) throw new Error('two children map to the same kro resource id');
  const byRef = new Map(children.map((c) => [`${c.template.apiVersion}|${c.template.kind}|${(c.template.metadata as { name: string }).name}`, c]));
  const byId = new Map(children.map((c) => [c.id, c]));
  const idOf = (bd: Binding) => {
    const src = byRef.get(`${bd.from.apiVersion}|${bd.from.kind}|${bd.from.name}`);
    if (!src) throw new Error(`a binding names ${bd.from.kind}/${bd.from.name}, which is not rendered`);
    return src.id;
  };
  for (const c of children) {
    for (const s of applyBindings(c, idOf, (id) => byId.get(id)!.template, (d) => differences.push(d))) {
      const source = `${s.from.kind}/${s.from.name}` === c.name ? 'the child itself' : `${s.from.kind}/${s.from.name}`;
      differences.push({ child: c.name, field: s.path, why: `never set by kro: we apply the child without it and add it once ${source} reports ${s.fieldPath}; in kro a reference would hold the whole child back` });
    }
  }
  const resources: RgdResource[] = children.map((c) => ({
    id: c.id,
    template: c.template,
    // kro's guidance for ACK: a child is ready once ACK reports it synced with AWS.
    ...(String(c.template.apiVersion).includes('.services.k8s.aws/') ? { readyWhen: [`\${${c.id}.status.conditions.exists(c, c.type == "ACK.ResourceSynced" && c.status == "True")}`] } : {}),
  }));
  const rgd: Rgd = {
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'marketplace-three-tier' },
    spec: { schema: { apiVersion: KRO_INSTANCE.apiVersion.split('/')[1]!, kind: KRO_INSTANCE.kind, spec: INSTANCE_SCHEMA }, resources },
  };
  return { rgd, differences };
}

/** Header lines of the differences: one per field and reason, naming the children it applies to. */
function grouped(differences: readonly Difference[]): string[] {
  const groups = new Map<string, string[]>();
  for (const d of differences) {
    const key = `${d.field}: ${d.why}`;
    groups.set(key, [...(groups.get(key) ?? []), d.child]);
  }
  return [...groups].map(([key, children]) => `- ${children.includes('*') ? 'every child' : children.join(', ')}: ${key}`.split('${schema.metadata.name}').join('<name>'));
}

/** The file's text: a header (how it is made, the differences) and the RGD. */
export function rgdYaml(): string {
  const { rgd, differences } = generateRgd();
  const header = [
    `GENERATED by bench/kro/generate-rgd.ts from our render of examples/${KRO_EXAMPLE}.yaml: do not edit.`,
    'Regenerate: npx tsx bench/kro/generate-rgd.ts (a unit test fails when this file is stale).',
    '',
    `kro v0.9.4 ResourceGraphDefinition: one instance of ${KRO_INSTANCE.kind} (${KRO_INSTANCE.apiVersion}) creates the`,
    `${rgd.spec.resources.length} children our operator renders for that example under the instance's name and namespace: same kinds,`,
    'names, specs, ACK references (*Ref.from.name, plain strings: kro sees no edge) and labels. The instance spec has',
    'one field, environmentSuffix (default "prod"), the only spec value two environments of the example must not share.',
    'Late bindings we fill from another child\'s status are CEL references to that status; every ACK child has',
    'readyWhen ACK.ResourceSynced=True.',
    '',
    'Differences from our render, and why:',
    ...grouped(differences),
  ];
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(rgd, { lineWidth: 0 })}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = rgdYaml();
  if (process.argv.includes('--check')) {
    if (readFileSync(KRO_RGD_PATH, 'utf8') !== wanted) {
      process.stderr.write(`${KRO_RGD_PATH} is stale: run npx tsx bench/kro/generate-rgd.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(KRO_RGD_PATH, wanted);
    process.stdout.write(`wrote ${KRO_RGD_PATH}\n`);
  }
}
