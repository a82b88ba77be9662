/**
 * Leader election on a `coordination.k8s.io/v1` Lease, following client-go's `leaderelection`
 * package (same defaults, same expiry rule), so our replicas behave like any Go controller's.
 *
 * Safety rests on two things:
 * - every write is conditional (create fails with 409 if the Lease exists, update with 409 if the
 *   resourceVersion is stale), so two candidates can never both believe they wrote last;
 * - a lease held by someone else counts as expired only `leaseDuration` after this process
 *   *observed* its latest version on its own clock, never by comparing the holder's `renewTime`
 *   with our clock, so clock skew between nodes cannot cause two leaders.
 */
import { systemClock, type Clock, type RandomSource, type TimerHandle } from './clock.js';
import { isConflict } from './errors.js';
import type { LeaseLock, LeaseRecord, ObservedLease } from './lease-lock.js';
import { silentLogger, type Logger } from './logger.js';

/** Why leadership ended: a failed renewal (`lost`) or {@link LeaderElector.stop} (`released`). */
export type StoppedLeadingReason = 'lost' | 'released';

/** Options of {@link LeaderElector}. Durations default to client-go's (15 s / 10 s / 2 s). */
export interface LeaderElectorOptions {
  readonly lock: LeaseLock;
  /** Unique per replica, normally the pod name. */
  readonly identity: string;
  /** How long a lease is valid after its last observed renewal. @default 15_000 */
  readonly leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. @default 10_000 */
  readonly renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts. @default 2_000 */
  readonly retryPeriodMs?: number;
  /** Start the workers here. */
  readonly onStartedLeading: () => void;
  /**
   * Leadership ended. On `lost`, the process should exit (as controller-runtime does): reconciles in
   * flight cannot be cancelled and another replica may already be running them. The elector does
   * not campaign again either way.
   */
  readonly onStoppedLeading: (reason: StoppedLeadingReason) => void;
  /** Called when a different holder (possibly this one) is observed. */
  readonly onNewLeader?: (identity: string) => void;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Jitter source of the acquire loop. @default Math.random */
  readonly random?: RandomSource;
  /** @default silent */
  readonly logger?: Logger;
}

/** client-go's `JitterFactor`: a candidate waits retryPeriod × [1, 2.2) between attempts. */
const JITTER_FACTOR = 1.2;

/** See the module comment. One-shot: after it stops or loses leadership, create a new one. */
export class LeaderElector {
  private readonly o: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly logger: Logger;
  private leading = false;
  private stopped = true;
  private finished = false;
  private observed: { readonly lease: ObservedLease; readonly at: number } | undefined;
  private loopTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.o = options;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger()).child({
      lease: options.lock.describe(),
      identity: options.identity,
    });
    // client-go's validation: otherwise a leader could lose the lease before it notices.
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error('leaseDurationMs must be greater than renewDeadlineMs');
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * JITTER_FACTOR) {
      throw new Error(`renewDeadlineMs must be greater than retryPeriodMs * ${JITTER_FACTOR}`);
    }
  }

  /** Starts campaigning; returns at once. */
  start(): void {
    if (this.finished) {
      throw new Error('leader elector already stopped; create a new one');
    }
    this.stopped = false;
    this.tick();
  }

  /** True between onStartedLeading and onStoppedLeading. */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Stops campaigning and, if this replica holds the lease, releases it (empty holder, 1 s
   * duration) so a standby takes over at its next attempt instead of after a full lease duration.
   * Stop the workers before calling this, or two replicas may reconcile at once. Waits at most
   * `renewDeadlineMs` for each API call, so a hung connection cannot block shutdown.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.finished = true;
    this.clearTimers();
    await this.bounded(this.inFlight);
    await this.bounded(this.release());
    if (this.leading) {
      this.leading = false;
      this.notify(() => this.o.onStoppedLeading('released'));
    }
  }

  private tick(): void {
    if (this.stopped) {
      return;
    }
    const run: Promise<void> = this.attempt().finally(() => {
      this.inFlight = undefined;
      this.scheduleNext();
    });
    this.inFlight = run;
  }

  private scheduleNext(): void {
    if (this.stopped) {
      return;
    }
    // The leader renews on a fixed period; candidates add jitter so they do not retry in lockstep.
    const jitter = this.leading ? 0 : this.random() * JITTER_FACTOR;
    this.loopTimer = this.clock.setTimeout(() => this.tick(), this.retryPeriodMs * (1 + jitter));
  }

  private async attempt(): Promise<void> {
    const acquired = await this.tryAcquireOrRenew();
    if (!acquired || this.stopped) {
      // A leader that fails to renew keeps leading until the renew deadline fires.
      return;
    }
    this.armDeadline();
    if (!this.leading) {
      this.leading = true;
      this.logger.info('became leader');
      this.notify(() => this.o.onStartedLeading());
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    try {
      const current = await this.o.lock.get();
      if (current === undefined) {
        this.observe(await this.o.lock.create(this.desired(undefined)));
        return true;
      }
      this.observe(current);
      if (this.heldByOther(current.record)) {
        return false;
      }
      this.observe(await this.o.lock.update(this.desired(current.record), current.resourceVersion));
      return true;
    } catch (err) {
      // 409: another candidate wrote between our read and our write; it won this round.
      this.logger[isConflict(err) ? 'debug' : 'warn']({ err }, 'lease acquire/renew failed');
      return false;
    }
  }

  private heldByOther(record: LeaseRecord): boolean {
    const holder = record.holderIdentity ?? '';
    if (holder === '' || holder === this.o.identity || this.observed === undefined) {
      return false;
    }
    const durationMs = (record.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    return this.observed.at + durationMs > this.clock.now();
  }

  private desired(current: LeaseRecord | undefined): LeaseRecord {
    const now = this.clock.now();
    const renewing = current?.holderIdentity === this.o.identity;
    const transitions = current?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: renewing ? (current?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: current === undefined || renewing ? transitions : transitions + 1,
    };
  }

  private observe(lease: ObservedLease): void {
    const previous = this.observed?.lease;
    if (previous?.resourceVersion !== lease.resourceVersion) {
      this.observed = { lease, at: this.clock.now() };
    }
    const holder = lease.record.holderIdentity ?? '';
    if (holder !== '' && holder !== (previous?.record.holderIdentity ?? '')) {
      this.logger.info({ holder }, 'new leader observed');
      this.notify(() => this.o.onNewLeader?.(holder));
    }
  }

  private armDeadline(): void {
    if (this.deadlineTimer !== undefined) {
      this.clock.clearTimeout(this.deadlineTimer);
    }
    // A timer, not a check in the renew loop: a renew request that hangs must not extend leadership.
    this.deadlineTimer = this.clock.setTimeout(() => this.lose(), this.renewDeadlineMs);
  }

  private lose(): void {
    if (!this.leading) {
      return;
    }
    this.leading = false;
    this.stopped = true;
    this.finished = true;
    this.clearTimers();
    this.logger.error({ renewDeadlineMs: this.renewDeadlineMs }, 'leadership lost: lease not renewed in time');
    this.notify(() => this.o.onStoppedLeading('lost'));
  }

  private async release(): Promise<void> {
    const lease = this.observed?.lease;
    if (lease === undefined || lease.record.holderIdentity !== this.o.identity) {
      return;
    }
    const now = this.clock.now();
    const record: LeaseRecord = {
      ...lease.record,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
    };
    try {
      this.observe(await this.o.lock.update(record, lease.resourceVersion));
    } catch (err) {
      this.logger.warn({ err }, 'lease release failed; standbys take over when it expires');
    }
  }

  private async bounded(work: Promise<void> | undefined): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.clock.setTimeout(resolve, this.renewDeadlineMs);
    });
    await Promise.race([work, timeout]);
    this.clock.clearTimeout(timer);
  }

  private notify(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.logger.error({ err }, 'leader election callback threw');
    }
  }

  private clearTimers(): void {
    for (const timer of [this.loopTimer, this.deadlineTimer]) {
      if (timer !== undefined) {
        this.clock.clearTimeout(timer);
      }
    }
    this.loopTimer = undefined;
    this.deadlineTimer = undefined;
  }
}
