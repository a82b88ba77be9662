/**
 * What global-setup.ts hands to the e2e test files, as JSON in one environment variable (Jest's workers inherit
 * the main process's environment). Kept free of imports so that global-setup.ts can load it cheaply.
 */
export const E2E_ENV = 'MPE_E2E_STACK';

/** The running e2e stack. */
export interface E2eInfo {
  /** Admin kubeconfig of the cluster. */
  kubeconfig: string;
  /** moto endpoint (`http://127.0.0.1:<port>`). */
  awsEndpoint: string;
  /** Services whose ACK controller runs. */
  ackServices: string[];
  /** Tag of each running controller. */
  ackVersions: Record<string, string>;
  /** Services without a controller binary (cloudfront, wafv2 here). */
  missingServices: string[];
  /** Names of the CRDs installed from ACK_CRDS_DIR, whose kinds no controller serves here (empty without that directory). */
  referenceCrds: string[];
  /** Names (`<plural>.<group>`) of every CRD installed: the kinds the API server serves. */
  crds: string[];
  /** moto.log, ack-<svc>.log, control-plane/ logs. */
  logDir: string;
  /** Seconds global-setup took to start everything. */
  startSeconds: number;
  /** Epoch ms when global-setup began (suite duration). */
  startedAt: number;
  /** Random suffix of this run's namespaces (see {@link e2eNamespace}); the ACK controllers watch only those. */
  namespaceSuffix: string;
}

/**
 * Ids of the environments the suite runs besides the examples' (each example environment's id comes from
 * cli/examples.ts: `003` for a file of one environment, `003-us-east-2` for one of several): `rejected`
 * (environments.test.ts) and `adoption` (adoption.test.ts).
 */
export const RUN_IDS_EXTRA = ['rejected', 'adoption'] as const;

/** Namespace of one environment of the suite. */
export function e2eNamespace(id: string, suffix: string): string {
  return `e2e-${id}-${suffix}`;
}

/** The stack description exported by global-setup.ts. */
export function e2eInfo(): E2eInfo {
  const raw = process.env[E2E_ENV];
  if (!raw) throw new Error(`${E2E_ENV} is not set: e2e tests run in the jest "e2e" project (npm run e2e), whose globalSetup starts the stack`);
  return JSON.parse(raw) as E2eInfo;
}
