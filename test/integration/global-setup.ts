/**
 * Jest globalSetup of the `integration` project: starts the local control plane (localcluster/), or attaches
 * to `MPE_KUBECONFIG`, installs the CRDs, and exports the kubeconfig path as `KUBECONFIG_MPE_TEST`.
 * It builds nothing: bin/ must have been built by hack/build-control-plane.sh (`.ci/run`, `npm run setup`).
 */
import { tsImport } from 'tsx/esm/api';
import type { ControlPlane } from '../../localcluster/control-plane.js';

type ControlPlaneModule = typeof import('../../localcluster/control-plane.js');
type EnvModule = typeof import('./helpers/env.js');

/**
 * Where global-teardown.ts finds the running control plane: both run in Jest's main process, and a registered
 * symbol needs no shared import (which the require hook could not resolve).
 */
const CONTROL_PLANE = Symbol.for('mpe.localcluster.controlPlane');

export default async function globalSetup(): Promise<void> {
  // Jest loads this file through a CommonJS require hook, under which Node cannot resolve our `.js`-suffixed
  // TypeScript imports; tsx's scoped loader can.
  const { startControlPlane } = (await tsImport('../../localcluster/control-plane.ts', import.meta.url)) as ControlPlaneModule;
  const { TEST_KUBECONFIG_ENV } = (await tsImport('./helpers/env.ts', import.meta.url)) as EnvModule;
  const plane: ControlPlane = await startControlPlane();
  (globalThis as Record<symbol, unknown>)[CONTROL_PLANE] = plane;
  process.env[TEST_KUBECONFIG_ENV] = plane.kubeconfigPath;
}
