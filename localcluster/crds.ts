import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ApiextensionsV1Api,
  KubeConfig,
  PatchStrategy,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { RawObjectApi } from '../controllers/runtime/object-api.js';
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
 * The CRD files installed on start: every `.cache/ack-crds/<dir>/*.yaml` (including `common/`, produced by
 * `hack/fetch-ack-crds.sh`) and every `crds/*.yaml` of ours, sorted for a stable order.
 */
export function listCrdFiles(root = REPO_ROOT): string[] {
  const files: string[] = [];
  const ackRoot = join(root, '.cache', 'ack-crds');
  if (existsSync(ackRoot)) {
    for (const entry of readdirSync(ackRoot, { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(...yamlFilesIn(join(ackRoot, entry.name)));
    }
  }
  files.push(...yamlFilesIn(join(root, 'crds')));
  return files.sort();
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

/** Applies every CRD of {@link listCrdFiles} and waits until all are Established; returns their names. */
export async function installCrds(kc: KubeConfig, root = REPO_ROOT): Promise<string[]> {
  const crds = loadCrds(listCrdFiles(root));
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

/** The pinned upstream ACK CRDs, read in place when kept beside the repository (as in CI); never copied into it. */
const PINNED_CRDS = resolve(REPO_ROOT, '../shared/ack-crds');

/**
 * CRDs of the kinds whose ACK controller the Go module proxy does not serve (cloudfront, wafv2; docs/ack-versions.md),
 * so the objects we render for them meet a real schema too.
 */
const REFERENCE_CRD_FILES = [
  'cloudfront-controller/cloudfront.services.k8s.aws_distributions.yaml',
  'cloudfront-controller/cloudfront.services.k8s.aws_originaccesscontrols.yaml',
  'wafv2-controller/wafv2.services.k8s.aws_webacls.yaml',
];

/** Installs the reference CRDs that exist beside the repository; returns their names (empty when there are none). */
export async function installReferenceCrds(kc: KubeConfig): Promise<string[]> {
  const files = REFERENCE_CRD_FILES.map((f) => join(PINNED_CRDS, f)).filter((f) => existsSync(f));
  if (files.length === 0) return [];
  const crds = loadCrds(files);
  await applyCrds(kc, crds);
  await waitForCrdsEstablished(kc, crds.map((c) => c.name));
  return crds.map((c) => c.name);
}
