import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  KubeConfig,
  PatchStrategy,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { RawObjectApi } from '../controllers/runtime/object-api.js';
import { ACK_CRDS_DIR_ENV, AckCrdSources, type SourceOptions } from './ack-crd-sources.js';
import { REPO_ROOT } from './paths.js';

/** Field manager used for the server-side apply of CRDs. */
export const CRD_FIELD_MANAGER = 'mpe-localcluster';

/** A CRD document and the file it came from. */
export interface CrdDocument {
  file: string;
  /** `metadata.name`, `<plural>.<group>` */
  name: string;
  object: V1CustomResourceDefinition & KubernetesObject;
}

/**
 * The CRDs installed on start, in a stable order: the ACK CRDs that {@link AckCrdSources.installSet} chooses (every
 * one the Go module proxy provided, plus those of the rendered kinds it did not, from ACK_CRDS_DIR) and every
 * `crds/*.yaml` of ours.
 */
export function crdsToInstall(sources: AckCrdSources, root = REPO_ROOT): CrdDocument[] {
  const ack = sources.installSet().map((crd) => ({ file: crd.file, name: crd.name, object: crd.object as unknown as CrdDocument['object'] }));
  const ours = loadCrds(yamlFilesIn(join(root, 'crds')));
  return [...ack, ...ours].sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

/** The files of {@link crdsToInstall}, sorted, for the sources of `root` and `env` (ACK_CRDS_DIR). */
export function listCrdFiles(root = REPO_ROOT, env: SourceOptions['env'] = process.env): string[] {
  return [...new Set(crdsToInstall(new AckCrdSources({ root, env }), root).map((crd) => crd.file))];
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .map((name) => join(dir, name));
}

/** Parses the files and returns their CustomResourceDefinition documents; a file with none is an error. */
export function loadCrds(files: readonly string[]): CrdDocument[] {
  const crds: CrdDocument[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    let found = 0;
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as (V1CustomResourceDefinition & KubernetesObject) | null;
      if (object?.kind !== 'CustomResourceDefinition') continue;
      const name = object.metadata?.name;
      if (!name) throw new Error(`${file}: CustomResourceDefinition without metadata.name`);
      crds.push({ file, name, object });
      found++;
    }
    if (found === 0) throw new Error(`${file}: no CustomResourceDefinition in this file`);
  }
  return crds;
}

/**
 * Server-side applies the CRDs (force, so a CRD last written by kubectl or another manager is taken over),
 * a few at a time: each CRD makes kube-apiserver rebuild its OpenAPI spec, which is CPU-bound on 2 cores.
 *
 * The body is sent as plain JSON (RawObjectApi), never through client-node's typed models: their serializer maps
 * `V1JSONSchemaProps` by its TypeScript names and silently drops `default`, `x-kubernetes-validations`,
 * `x-kubernetes-preserve-unknown-fields` and the like, installing CRDs without defaults and CEL rules.
 */
export async function applyCrds(kc: KubeConfig, crds: readonly CrdDocument[], concurrency = 4): Promise<void> {
  const client = RawObjectApi.fromKubeConfig(kc);
  const queue = [...crds];
  const worker = async (): Promise<void> => {
    for (let crd = queue.shift(); crd; crd = queue.shift()) {
      try {
        await client.send({
          method: 'PATCH',
          path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`,
          query: { fieldManager: CRD_FIELD_MANAGER, force: 'true' },
          contentType: PatchStrategy.ServerSideApply,
          body: crd.object,
        });
      } catch (err) {
        throw new Error(`server-side apply of CRD ${crd.name} from ${crd.file} failed: ${describeError(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, crds.length) }, worker));
}

/** True when the CRD's `Established` condition is `True`. */
export function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

/** Polls the CRD list until every name in `names` is Established; the error lists the ones that are not. */
export async function waitForCrdsEstablished(kc: KubeConfig, names: readonly string[], timeoutMs = 60_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  let pending = [...names];
  while (pending.length > 0) {
    const list = await api.listCustomResourceDefinition();
    const established = new Set(list.items.filter(isEstablished).map((crd) => crd.metadata?.name));
    pending = pending.filter((name) => !established.has(name));
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`CRDs not Established after ${timeoutMs / 1000} s: ${pending.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Applies every CRD of {@link crdsToInstall} and waits until all are Established; returns their names. Logs where the
 * ACK CRDs came from, and the rendered kinds no source could provide (the API server will not serve them).
 */
export async function installCrds(kc: KubeConfig, root = REPO_ROOT, log: (line: string) => void = () => undefined): Promise<string[]> {
  const sources = new AckCrdSources({ root });
  const crds = crdsToInstall(sources, root);
  log(`ACK CRD sources: ${sources.describe().join('; ')}`);
  const missing = sources.resolveAll().flatMap((r) => (r.status === 'provided' ? [] : [r]));
  for (const r of missing) log(`no CRD for ${r.kind.apiVersion} ${r.kind.kind}: ${r.reason}`);
  if (missing.some((r) => r.status === 'unavailable')) {
    log(`those kinds are not served; set ${ACK_CRDS_DIR_ENV} to a directory of the pinned upstream ACK CRDs (docs/ack-versions.md)`);
  }
  await applyCrds(kc, crds);
  const names = crds.map((crd) => crd.name);
  await waitForCrdsEstablished(kc, names);
  return names;
}

/** Message of an error from client-node, including the API server's Status message when there is one. */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'body' in err) {
    const body = (err as { body: unknown }).body;
    let message = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      message = (JSON.parse(message) as { message?: string }).message ?? message;
    } catch {
      // Not JSON: keep the raw body.
    }
    return `HTTP ${(err as { code: number }).code}: ${message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
