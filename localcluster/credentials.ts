import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A static-token identity of the local cluster (kube-apiserver `--token-auth-file`). */
export interface TokenUser {
  name: string;
  token: string;
  groups: string[];
}

/** Files and identities generated for one control-plane run. */
export interface Credentials {
  /** `--token-auth-file` of kube-apiserver. */
  tokenFile: string;
  /** Public half of the service-account signing key (`--service-account-key-file`). */
  saPublicKeyFile: string;
  /** Private half (`--service-account-signing-key-file`). */
  saPrivateKeyFile: string;
  /** The human/test admin, group system:masters. */
  admin: TokenUser;
  /** kube-controller-manager's own identity, also system:masters (it runs every controller with its own credentials). */
  controllerManager: TokenUser;
}

/**
 * Generates fresh credentials into `dir` (mode 0600): random bearer tokens instead of client certificates,
 * because node:crypto can make keys but not X.509 certificates, and a token file needs no CA of our own.
 * The service-account key is ECDSA P-256 (ES256), which is quicker to generate than RSA.
 */
export function generateCredentials(dir: string): Credentials {
  const admin: TokenUser = { name: 'mpe-admin', token: newToken(), groups: ['system:masters'] };
  const controllerManager: TokenUser = {
    name: 'system:kube-controller-manager',
    token: newToken(),
    groups: ['system:masters'],
  };
  const tokenFile = join(dir, 'tokens.csv');
  // Format: token,user,uid,"group1,group2"
  const rows = [admin, controllerManager].map((u) => `${u.token},${u.name},${u.name},"${u.groups.join(',')}"`);
  writeFileSync(tokenFile, rows.join('\n') + '\n', { mode: 0o600 });

  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saPublicKeyFile = join(dir, 'sa.pub');
  const saPrivateKeyFile = join(dir, 'sa.key');
  writeFileSync(saPublicKeyFile, publicKey, { mode: 0o600 });
  writeFileSync(saPrivateKeyFile, privateKey, { mode: 0o600 });
  return { tokenFile, saPublicKeyFile, saPrivateKeyFile, admin, controllerManager };
}

function newToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * Reads the CA that signed a self-signed serving certificate written by a Kubernetes component into its
 * `--cert-dir` (client-go's GenerateSelfSignedCertKey writes the leaf followed by its throwaway CA).
 * Returns the CA certificate(s) as PEM, or undefined while the file does not exist or is still incomplete.
 */
export function readSelfSignedCa(certFile: string): string | undefined {
  if (!existsSync(certFile)) return undefined;
  const pems = readFileSync(certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  try {
    const cas = pems.filter((pem) => new X509Certificate(pem).ca);
    // A lone self-signed leaf (no CA in the file) is its own trust anchor.
    const chosen = cas.length > 0 ? cas : pems;
    return chosen.length > 0 ? chosen.join('\n') + '\n' : undefined;
  } catch {
    return undefined; // Half-written file: try again on the next poll.
  }
}
