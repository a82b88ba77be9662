import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** What a kubeconfig for the local control plane needs. */
export interface KubeconfigSpec {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  caPem: string;
  user: string;
  token: string;
  /** Cluster and context name; defaults to `mpe-local`. */
  name?: string;
}

/** Renders a single-context kubeconfig that authenticates with a bearer token. */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'mpe-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') },
      },
    ],
    users: [{ name: spec.user, user: { token: spec.token } }],
    contexts: [{ name, context: { cluster: name, user: spec.user, namespace: 'default' } }],
    'current-context': name,
  });
}

/** Writes {@link renderKubeconfig} output to `path` with mode 0600 (it holds a system:masters token). */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  writeFileSync(path, renderKubeconfig(spec), { mode: 0o600 });
}
