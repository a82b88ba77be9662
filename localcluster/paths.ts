import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `<root>/localcluster/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Environment variable naming the kubeconfig of an existing cluster to use instead of starting one. */
export const BYO_KUBECONFIG_ENV = 'MPE_KUBECONFIG';

/** State directory of `npm run cluster:up` (git-ignored). */
export const CLUSTER_STATE_DIR = join(REPO_ROOT, '.cluster');

/** Paths of the control-plane binaries built by `hack/build-control-plane.sh`. */
export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

/**
 * Locates the binaries in `binDir` (default `<root>/bin`) and fails with the command that builds them,
 * because building from here would hide a 6-minute cold build inside a test run.
 */
export function findBinaries(binDir = join(REPO_ROOT, 'bin')): Binaries {
  const bins: Binaries = {
    etcd: join(binDir, 'etcd'),
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
  };
  const missing = Object.values(bins).filter((path) => !isExecutable(path));
  if (missing.length > 0) {
    throw new Error(
      `control-plane binaries missing or not executable: ${missing.join(', ')}. ` +
        `Build them with \`npm run setup\` (runs hack/build-control-plane.sh), ` +
        `or set ${BYO_KUBECONFIG_ENV} to the kubeconfig of an existing cluster (e.g. kind).`,
    );
  }
  return bins;
}

/** Whether `path` exists and is executable by this process. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
