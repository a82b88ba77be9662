/**
 * Records every version of the objects under some API paths, through watches: each ADDED and MODIFIED event is one
 * version as the API server stored it (a status write of the operator or of ACK, a spec apply, an Event). A watch the
 * server ends is started again (its first events are the objects as they are then). test/e2e/secrets-leak.test.ts
 * searches the versions for secret values.
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

/** One stored version of one object. */
export interface RecordedVersion {
  /** `<path> <name>@<resourceVersion>`. */
  readonly key: string;
  /** The object as JSON. */
  readonly json: string;
}

/** See the module comment. */
export class ObjectRecorder {
  private readonly versions = new Map<string, string>();
  private readonly aborts = new Map<string, AbortController>();
  private stopped = false;
  /** Watches that ended with an error (reported, not thrown: the recorder is a witness, not the test). */
  readonly errors: string[] = [];

  constructor(private readonly kc: KubeConfig) {}

  /** Watches `path` (a collection, e.g. `/apis/ec2.services.k8s.aws/v1alpha1/namespaces/x/vpcs`). */
  async watch(path: string): Promise<void> {
    if (this.stopped) return;
    const abort = await new Watch(this.kc).watch(
      path,
      {},
      (phase: string, o: KubernetesObject) => {
        if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
        this.versions.set(`${path} ${o.metadata?.name}@${o.metadata?.resourceVersion}`, JSON.stringify(o));
      },
      (err: unknown) => {
        if (this.stopped) return;
        // A 404 (a kind not served) ends for good; anything else (the server's watch timeout) is watched again.
        if (err && /404|not found/i.test(String(err))) {
          this.errors.push(`${path}: ${String(err)}`);
          return;
        }
        setTimeout(() => void this.watch(path).catch((e: unknown) => this.errors.push(`${path}: ${String(e)}`)), 500);
      },
    );
    this.aborts.set(path, abort);
  }

  /** Every version recorded, optionally of the paths starting with `prefix`. */
  recorded(prefix = ''): RecordedVersion[] {
    return [...this.versions].filter(([k]) => k.startsWith(prefix)).map(([key, json]) => ({ key, json }));
  }

  /** Ends every watch. */
  stop(): void {
    this.stopped = true;
    for (const a of this.aborts.values()) a.abort();
    this.aborts.clear();
  }
}
