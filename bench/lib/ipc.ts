/** Messages between the benchmark (parent) and bench/worker.ts (a controller or a baseline client in a child process). */
import type { WriteCounts } from '../../controllers/runtime/api-write-counter.js';

/** What the worker runs. */
export type WorkerConfig =
  | {
      readonly mode: 'controller';
      readonly kubeconfig: string;
      readonly namespaces: readonly string[];
      readonly concurrency: number;
      readonly resyncPeriodMs: number;
      readonly progressRequeueMs: number;
      /**
       * The aws-gaps against the in-memory AWS of test/unit/aws-gaps/fake-aws.ts instead of the SDK's: for the
       * `--peer kro` steady state with every child synced, where no AWS answers (bench/phases/peer-kro.ts).
       */
      readonly fakeAws?: boolean;
    }
  | {
      readonly mode: 'baseline';
      readonly kubeconfig: string;
      readonly namespace: string;
      /** Environments applied in parallel (the controller's worker count). */
      readonly concurrency: number;
      /** Applies in flight per environment (the reconciler's apply concurrency). */
      readonly applyConcurrency: number;
      /** `apiVersion/kind` keys not served by the API server. */
      readonly unserved: readonly string[];
    }
  | {
      /** The bare client plus the API-server work every operator with our API has to do (bench/lib/ceiling-client.ts). */
      readonly mode: 'ceiling';
      readonly kubeconfig: string;
      readonly namespace: string;
      /** The benchmark applies `environments` environments (bench/lib/workload.ts environmentManifests). */
      readonly environments: number;
      /** Where the examples are (the compiled worker lives elsewhere than the sources). */
      readonly examplesDir: string;
      /** The examples the environments are made of, in turn (ids of examplesDir's files: the run's workload). */
      readonly examples: readonly string[];
      /** Environments handled in parallel (the controller's worker count). */
      readonly concurrency: number;
      /** Applies in flight per environment (the reconciler's apply concurrency). */
      readonly applyConcurrency: number;
      /** `apiVersion/kind` keys not served by the API server. */
      readonly unserved: readonly string[];
    };

/** Memory, CPU and work counters of the worker process. */
export interface WorkerStats {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  /** Peaks of the 250 ms samples since start or the last reset. */
  readonly peakRssMiB: number;
  readonly peakHeapUsedMiB: number;
  /** process.cpuUsage() user + system, seconds since start. */
  readonly cpuSeconds: number;
  readonly writes?: WriteCounts;
  readonly reconciles?: { readonly total: number; readonly errors: number; readonly seconds: number; readonly idleMs: number };
}

/** Parent → worker. */
export type ToWorker = { readonly type: 'stats'; readonly resetPeaks?: boolean; /** Run a full GC first (live heap). */ readonly gc?: boolean } | { readonly type: 'go' } | { readonly type: 'stop' };

/** Worker → parent. */
export type FromWorker =
  | { readonly type: 'ready'; readonly objects?: number; readonly environments?: number }
  | { readonly type: 'stats'; readonly stats: WorkerStats }
  | { readonly type: 'done'; readonly ms: number; readonly applied: number; readonly errors: readonly string[] }
  | { readonly type: 'error'; readonly message: string };
