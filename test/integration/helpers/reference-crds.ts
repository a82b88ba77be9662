/**
 * CRDs of the kinds whose ACK controller the Go module proxy does not serve (cloudfront, wafv2; docs/ack-versions.md).
 * When the pinned upstream CRDs are kept beside the repository (../shared/ack-crds, as in CI), the integration suite
 * installs the ones we render, read in place, so those objects meet a real schema too. Elsewhere it installs none.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyCrds, loadCrds, waitForCrdsEstablished } from '../../../localcluster/crds.js';
import { REPO_ROOT } from '../../../localcluster/paths.js';

const PINNED = resolve(REPO_ROOT, '../shared/ack-crds');
const FILES = [
  'cloudfront-controller/cloudfront.services.k8s.aws_distributions.yaml',
  'cloudfront-controller/cloudfront.services.k8s.aws_originaccesscontrols.yaml',
  'wafv2-controller/wafv2.services.k8s.aws_webacls.yaml',
];

/** Installs the reference CRDs that exist; returns their names (empty when there are none). */
export async function installReferenceCrds(kc: KubeConfig): Promise<string[]> {
  const files = FILES.map((f) => join(PINNED, f)).filter((f) => existsSync(f));
  if (files.length === 0) return [];
  const crds = loadCrds(files);
  await applyCrds(kc, crds);
  await waitForCrdsEstablished(kc, crds.map((c) => c.name));
  return crds.map((c) => c.name);
}
