import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { LeaderElector, type StoppedLeadingReason } from '../../../controllers/runtime/leader-election.js';
import type { LeaseLock, LeaseRecord, ObservedLease } from '../../../controllers/runtime/lease-lock.js';
import { flushPromises, ManualClock } from './manual-clock.js';

const conflict = (): ApiException<unknown> => new ApiException(409, 'Conflict', { code: 409 }, {});

/** An in-memory Lease with the API server's optimistic-concurrency rules. */
class MemoryLeaseLock implements LeaseLock {
  stored: ObservedLease | undefined;
  calls = 0;
  /** While set, every call fails with this error. */
  failWith: unknown;
  /** While true, every call hangs forever (a stuck HTTP request). */
  hang = false;

  async get(): Promise<ObservedLease | undefined> {
    await this.gate();
    return this.stored;
  }

  async create(record: LeaseRecord): Promise<ObservedLease> {
    await this.gate();
    if (this.stored !== undefined) {
      throw conflict();
    }
    return this.put(record, 1);
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<ObservedLease> {
    await this.gate();
    if (this.stored?.resourceVersion !== resourceVersion) {
      throw conflict();
    }
    return this.put(record, Number(resourceVersion) + 1);
  }

  describe(): string {
    return 'ns/lease';
  }

  /** Another process writes the lease (bypassing any elector). */
  put(record: LeaseRecord, rv = Number(this.stored?.resourceVersion ?? 0) + 1): ObservedLease {
    this.stored = { record: { ...record }, resourceVersion: String(rv) };
    return this.stored;
  }

  private async gate(): Promise<void> {
    this.calls += 1;
    if (this.hang) {
      await new Promise(() => undefined);
    }
    if (this.failWith !== undefined) {
      throw this.failWith;
    }
  }
}

function elector(lock: LeaseLock, clock: ManualClock, identity = 'me') {
  const log: string[] = [];
  const e = new LeaderElector({
    lock,
    identity,
    clock,
    random: () => 0,
    onStartedLeading: () => log.push('started'),
    onStoppedLeading: (reason: StoppedLeadingReason) => log.push(`stopped:${reason}`),
    onNewLeader: (id) => log.push(`leader:${id}`),
  });
  return { e, log };
}

describe('LeaderElector', () => {
  it('creates an absent lease, leads, and renews every retry period', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const { e, log } = elector(lock, clock);
    e.start();
    await flushPromises();

    expect(log).toEqual(['leader:me', 'started']);
    expect(e.isLeader()).toBe(true);
    expect(lock.stored?.record).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 15, leaseTransitions: 0 });
    const acquiredAt = lock.stored?.record.acquireTime;

    await clock.advance(2_000);
    expect(lock.stored?.record.renewTime).toBe(clock.now());
    expect(lock.stored?.record.acquireTime).toBe(acquiredAt);
    expect(lock.stored?.resourceVersion).toBe('2');
    expect(log).toEqual(['leader:me', 'started']);
  });

  it('waits a full lease duration from its own observation before taking over, ignoring skewed renewTime', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    // The other holder's renewTime is an hour "old" by our clock: skew, not proof of death.
    lock.put({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: clock.now() - 3_600_000, leaseTransitions: 3 });
    const { e, log } = elector(lock, clock);
    e.start();
    await clock.advance(14_000);
    expect(e.isLeader()).toBe(false);
    expect(log).toEqual(['leader:other']);

    await clock.advance(2_000);
    expect(e.isLeader()).toBe(true);
    expect(lock.stored?.record).toMatchObject({ holderIdentity: 'me', leaseTransitions: 4 });
    expect(log).toEqual(['leader:other', 'leader:me', 'started']);
  });

  it('never takes a lease that its holder keeps renewing', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const { e } = elector(lock, clock);
    lock.put({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: clock.now() });
    e.start();
    for (let i = 0; i < 30; i += 1) {
      await clock.advance(2_000);
      lock.put({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: clock.now() });
    }
    expect(e.isLeader()).toBe(false);
  });

  it('treats a 409 as losing the round and acquires on a later attempt', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    lock.failWith = conflict();
    const { e } = elector(lock, clock);
    e.start();
    await flushPromises();
    expect(e.isLeader()).toBe(false);
    lock.failWith = undefined;
    await clock.advance(2_000);
    expect(e.isLeader()).toBe(true);
  });

  it('gives up leadership when renewals fail for longer than the renew deadline, and stops campaigning', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const { e, log } = elector(lock, clock);
    e.start();
    await flushPromises();
    lock.failWith = new Error('connection refused');
    await clock.advance(9_999);
    expect(e.isLeader()).toBe(true);
    await clock.advance(1);
    expect(e.isLeader()).toBe(false);
    expect(log.at(-1)).toBe('stopped:lost');

    const callsAfterLoss = lock.calls;
    lock.failWith = undefined;
    await clock.advance(60_000);
    expect(lock.calls).toBe(callsAfterLoss);
    expect(clock.pending()).toBe(0);
  });

  it('gives up leadership when a renew request hangs', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const { e, log } = elector(lock, clock);
    e.start();
    await flushPromises();
    lock.hang = true;
    await clock.advance(10_000);
    expect(e.isLeader()).toBe(false);
    expect(log.at(-1)).toBe('stopped:lost');
  });

  it('does not let a hung request block stop() for longer than the renew deadline', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const { e } = elector(lock, clock);
    e.start();
    await flushPromises();
    lock.hang = true;
    await clock.advance(2_000);
    let stopped = false;
    const stopping = e.stop().then(() => (stopped = true));
    await clock.advance(9_999);
    expect(stopped).toBe(false);
    await clock.advance(10_001);
    await stopping;
    expect(stopped).toBe(true);
  });

  it('releases the lease on stop so a standby takes over at its next attempt', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const first = elector(lock, clock, 'a');
    const second = elector(lock, clock, 'b');
    first.e.start();
    await flushPromises();
    second.e.start();
    await clock.advance(4_000);
    expect([first.e.isLeader(), second.e.isLeader()]).toEqual([true, false]);

    await first.e.stop();
    expect(first.log.at(-1)).toBe('stopped:released');
    expect(lock.stored?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.advance(2_000);
    expect(second.e.isLeader()).toBe(true);
    expect(lock.stored?.record.holderIdentity).toBe('b');
    expect(() => first.e.start()).toThrow(/already stopped/);
  });

  it('never has two leaders when candidates race on one lease', async () => {
    const clock = new ManualClock();
    const lock = new MemoryLeaseLock();
    const candidates = ['a', 'b', 'c'].map((id) => elector(lock, clock, id));
    candidates.forEach((c) => c.e.start());
    for (let i = 0; i < 50; i += 1) {
      await clock.advance(500);
      expect(candidates.filter((c) => c.e.isLeader()).length).toBeLessThanOrEqual(1);
    }
    expect(candidates.filter((c) => c.e.isLeader())).toHaveLength(1);
  });

  it('rejects durations that would let a leader lose the lease before noticing', () => {
    const base = { lock: new MemoryLeaseLock(), identity: 'x', onStartedLeading: () => {}, onStoppedLeading: () => {} };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/leaseDurationMs/);
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadlineMs/);
  });
});
