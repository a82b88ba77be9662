/**
 * The operator's Deployment (cdk8s-plus): two replicas with leader election, restricted pod security (non-root,
 * read-only root filesystem, no capabilities, RuntimeDefault seccomp, no privilege escalation), liveness /healthz and
 * readiness /readyz on the metrics port, resource requests and limits, identity from the downward API.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMMON_LABELS, HTTP_PORT, OPERATOR_NAME, POD_SELECTOR_LABELS } from './names.js';

/** Properties of {@link OperatorDeployment}. */
export interface OperatorDeploymentProps {
  readonly namespace: string;
  readonly serviceAccount: kplus.IServiceAccount;
  /** Container image, e.g. `registry.example.com/marketplace-operator:1.2.3`. */
  readonly image: string;
  /** @default 2 (one leader, one warm standby) */
  readonly replicas?: number;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Comma-separated namespaces to watch; empty watches all (the ClusterRole allows all). @default '' */
  readonly watchNamespaces?: string;
}

/** UID/GID of the image's non-root user (Dockerfile: USER 65532:65532, the distroless "nonroot" ids). */
export const RUN_AS_USER = 65532;

/** See the module comment. */
export class OperatorDeployment extends Construct {
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: OperatorDeploymentProps) {
    super(scope, id);
    const labels = { ...COMMON_LABELS, ...POD_SELECTOR_LABELS };
    // The root filesystem is read-only; a small in-memory /tmp covers any library that wants a scratch file.
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(16) });
    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: OPERATOR_NAME, namespace: props.namespace, labels },
      podMetadata: { labels },
      // Select on our own labels, not cdk8s's construct-path label: a Deployment selector is immutable, and the
      // Service selects the same labels.
      select: false,
      replicas: props.replicas ?? 2,
      strategy: kplus.DeploymentStrategy.rollingUpdate(),
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: true,
      // SIGTERM → stop workers, release the Lease (the standby takes over at once), stop informers.
      terminationGracePeriod: Duration.seconds(30),
      securityContext: { ensureNonRoot: true, user: RUN_AS_USER, group: RUN_AS_USER },
      containers: [
        {
          name: 'manager',
          image: props.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ number: HTTP_PORT, name: 'http-metrics' }],
          envVariables: {
            LEADER_ELECT: kplus.EnvValue.fromValue('true'),
            LEADER_ELECTION_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            METRICS_BIND_ADDRESS: kplus.EnvValue.fromValue(`0.0.0.0:${HTTP_PORT}`),
            WATCH_NAMESPACES: kplus.EnvValue.fromValue(props.watchNamespaces ?? ''),
            LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel ?? 'info'),
            // Keep the V8 heap well inside the memory limit, so the process is never OOM-killed mid-reconcile.
            NODE_OPTIONS: kplus.EnvValue.fromValue('--max-old-space-size=384'),
          },
          volumeMounts: [{ volume: tmp, path: '/tmp' }],
          liveness: kplus.Probe.fromHttpGet('/healthz', {
            port: HTTP_PORT,
            initialDelaySeconds: Duration.seconds(15),
            periodSeconds: Duration.seconds(20),
            timeoutSeconds: Duration.seconds(5),
            failureThreshold: 3,
          }),
          // Ready once the informer caches are synced; a standby is ready too (it only waits for the Lease).
          readiness: kplus.Probe.fromHttpGet('/readyz', {
            port: HTTP_PORT,
            initialDelaySeconds: Duration.seconds(5),
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(5),
            failureThreshold: 3,
          }),
          resources: {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
            memory: { request: Size.mebibytes(192), limit: Size.mebibytes(512) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: RUN_AS_USER,
            group: RUN_AS_USER,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...POD_SELECTOR_LABELS } }));
  }
}
