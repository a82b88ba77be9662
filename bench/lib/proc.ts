/**
 * Memory of a process that is not a Node worker (kro's Go controller): VmRSS read from /proc/<pid>/status (Linux),
 * sampled every 250 ms as bench/worker.ts samples its own `process.memoryUsage()`, so both peaks are taken alike.
 */
import { procStatusKiB } from '../../localcluster/processes.js';

/** `VmRSS` of `pid` in MiB; undefined when the process is gone or /proc is not there. */
export function rssMiBOf(pid: number): number | undefined {
  const kib = procStatusKiB(pid, 'VmRSS');
  return kib === undefined ? undefined : kib / 1024;
}

/** Samples a process's RSS every `intervalMs` until stopped: the peak since start (or the last reset) and the last sample. */
export class RssSampler {
  private peak = 0;
  private last: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    // Sampling must not keep the benchmark alive after a failure.
    this.timer.unref();
  }

  /** Takes a sample now; returns it (undefined when the process is gone). */
  sample(): number | undefined {
    const v = rssMiBOf(this.pid);
    if (v !== undefined) {
      this.last = v;
      this.peak = Math.max(this.peak, v);
    }
    return v;
  }

  /** Peak and current RSS (MiB) since start or the last reset. */
  read(): { peakRssMiB: number; rssMiB: number | undefined } {
    this.sample();
    return { peakRssMiB: this.peak, rssMiB: this.last };
  }

  /** Starts a new peak from the current RSS. */
  resetPeak(): void {
    this.peak = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
