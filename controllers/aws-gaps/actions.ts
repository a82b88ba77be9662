/**
 * The aws-gaps executor: carries out the AWS actions the charts declare for what ACK lacks (charts/aws-gaps.ts,
 * docs/aws-gaps.md). `reconcile` runs after the children are applied: for each declaration of a desired child it
 * resolves the late values from the live children, waits while one is unknown, and otherwise ensures the declared
 * state in AWS, reporting one status component per declaration and an error that carries its retry decision.
 * `undo` runs before the children a declaration names are deleted (environment deletion, prune).
 *
 * Values AWS generates come back as outputs (a Cognito client id, for `status.outputs`) and as Secrets, which the
 * executor writes through the caller's {@link SecretWriter} before it trusts the state: a secret never enters a
 * component message, a log line or the status.
 *
 * A state read from or written to AWS is trusted for `recheckMs` (per process): reconciles come with every child
 * event, and the APIs' quotas (WAF, EC2 Auto Scaling) are a few calls per second per account, so a steady environment
 * costs one read per declaration per period, and a change made outside the operator is corrected within that period.
 */
import { COMPONENT_REASONS, type ComponentStatus } from '../../api/index.js';
import type { AwsGap, LateValue } from '../../charts/aws-gaps.js';
import { DELETION_POLICY_ANNOTATION } from '../../charts/context.js';
import type { ValueOutput } from '../../charts/outputs.js';
import { TerminalError } from '../runtime/errors.js';
import type { Logger } from '../runtime/logger.js';
import { autoScalingTargetTracking } from './autoscaling-target-tracking.js';
import { AwsCallError } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { cognitoUserPoolClient } from './cognito-user-pool-client.js';
import { ChildIndex, componentOf, declarationsOf, describeLateValue, regionOf, type AwsGapChild } from './declarations.js';
import type { GapHandler, GapResult, GapValues } from './handler.js';
import { rdsProxyTargets } from './rds-proxy-targets.js';
import type { SecretWriter } from './secrets.js';
import { webAclAssociation } from './web-acl-association.js';

/** Our reasons in `status.components` (AWS's error code and message go into the message). */
export const AWS_GAP_REASONS = {
  /** Waiting: a late value is not known yet (its child is missing, not synced, or has not reported the field). */
  waiting: COMPONENT_REASONS.WaitingForDependency,
  /** Progressing: an AWS call failed in a way retrying can fix (throttling, 5xx, network); retried with backoff. */
  retrying: COMPONENT_REASONS.AWSCallFailed,
  /** Failed: AWS refused in a way retrying cannot fix (access denied, invalid parameter). */
  rejected: COMPONENT_REASONS.AWSCallRejected,
  /** Failed: the annotation cannot be read. */
  invalid: COMPONENT_REASONS.InvalidDeclaration,
  /** Progressing: the API server refused the Secret holding what AWS generated; retried with backoff. */
  secretNotWritten: COMPONENT_REASONS.ApplyFailed,
} as const;

/** How long a state seen in AWS is trusted by default: 10 minutes. */
export const DEFAULT_RECHECK_MS = 600_000;

/** One handler per declaration type. */
const HANDLERS: { readonly [T in AwsGap['type']]: GapHandler<Extract<AwsGap, { type: T }>> } = {
  WebACLAssociation: webAclAssociation,
  AutoScalingTargetTracking: autoScalingTargetTracking,
  RdsProxyTargets: rdsProxyTargets,
  CognitoUserPoolClient: cognitoUserPoolClient,
};

/** Marks a target whose action was undone. */
const UNDONE = '';

/** Dependencies of {@link AwsGapActions}. */
export interface AwsGapActionsOptions {
  /** AWS API clients (SdkAwsClients in production, fakes in unit tests). */
  readonly clients: AwsClients;
  /** Writes to AWS are logged at info; failures are returned, and logged where they are handled (the work queue). */
  readonly logger: Logger;
  /** How long a state seen in AWS is trusted before it is read again. @default DEFAULT_RECHECK_MS */
  readonly recheckMs?: number;
  /** Milliseconds clock. @default Date.now */
  readonly now?: () => number;
}

/** Outcome of {@link AwsGapActions.reconcile}. */
export interface AwsGapReport {
  /** One entry per declaration of the desired children, in their order, for `status.components`. */
  readonly components: readonly ComponentStatus[];
  /**
   * `status.outputs` entries of values AWS generated (a client id): those of the last successful ensure of each
   * declaration, kept while a later one fails, so that a throttled recheck does not take an output away.
   */
  readonly outputs: readonly ValueOutput[];
  /**
   * Set when an AWS call failed: a TerminalError when retrying cannot help any of the failures (not requeued), else
   * an Error retried with backoff. Undefined while declarations are only waiting (child events bring them back).
   */
  readonly error?: Error;
}

/** Outcome of {@link AwsGapActions.undo}. */
export interface AwsGapUndoReport {
  /** Declarations not undone yet: the children they name must not be deleted yet. */
  readonly pending: number;
  /** Why, with its retry decision as in {@link AwsGapReport.error}. */
  readonly error?: Error;
}

interface Known {
  /** The declaration and its resolved inputs, as ensured, or {@link UNDONE}. */
  readonly state: string;
  readonly message: string;
  readonly outputs?: readonly ValueOutput[];
  readonly at: number;
}

/** See the module comment. One instance per controller process, shared by every environment. */
export class AwsGapActions {
  private readonly known = new Map<string, Known>();
  /**
   * The last successful ensure, by declaration key: it outlives the recheck period and a failed recheck (dropped on
   * undo). Its outputs stay outputs while a recheck fails or an input is being updated; its message stays the message
   * when a recheck finds the same state (it may say what the ensure before did, "; created": taking the recheck's would
   * patch the status for nothing, and the steady state writes nothing).
   */
  private readonly lastEnsured = new Map<string, Omit<Known, 'at'>>();

  constructor(private readonly options: AwsGapActionsOptions) {}

  /**
   * Ensures the declarations of `desired` (rendered children), reading late values from `live`; the Secrets of values
   * AWS generated are written with `secrets` (a declaration that has one fails without it).
   */
  async reconcile(desired: readonly AwsGapChild[], live: Iterable<AwsGapChild>, secrets?: SecretWriter): Promise<AwsGapReport> {
    this.forgetExpired();
    const index = new ChildIndex(live);
    const components: ComponentStatus[] = [];
    const outputs: ValueOutput[] = [];
    const failures: Error[] = [];
    for (const child of desired) {
      const { gaps, invalid } = declarationsOf(child);
      if (invalid) {
        components.push({ component: componentOf(child), kind: child.kind ?? 'unknown', name: child.metadata?.name ?? '', state: 'Failed', reason: AWS_GAP_REASONS.invalid, message: truncate(invalid) });
        failures.push(new TerminalError(`${child.kind}/${child.metadata?.name}: ${invalid}`));
        continue;
      }
      for (const gap of gaps) {
        const result = await this.ensure(child, gap, index, secrets);
        components.push(result.component);
        outputs.push(...(result.outputs ?? []));
        if (result.failure) failures.push(result.failure);
      }
    }
    return { components, outputs, ...(failures.length > 0 ? { error: combine(failures) } : {}) };
  }

  /**
   * Undoes the declarations carried by `children` (live children about to be deleted), reading late values from
   * `live` and `children`. A declaration whose target never got its value (no ARN) has nothing to undo.
   */
  async undo(children: readonly AwsGapChild[], live: Iterable<AwsGapChild> = []): Promise<AwsGapUndoReport> {
    this.forgetExpired();
    const index = new ChildIndex([...live, ...children]);
    const failures: Error[] = [];
    for (const child of children) {
      const { gaps, invalid } = declarationsOf(child);
      if (invalid) {
        // Handled here: an annotation edited by hand must not block the deletion of the environment.
        this.options.logger.warn({ child: `${child.kind}/${child.metadata?.name}`, reason: invalid }, 'AWS action declarations unreadable; nothing undone for this child');
        continue;
      }
      // ACK keeps the AWS resource of a retained child: an action that belongs to that resource stays with it.
      const retained = child.metadata?.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain';
      for (const gap of gaps) {
        const handler = HANDLERS[gap.type] as GapHandler<AwsGap>;
        if (retained && handler.keptWithRetainedChild) continue;
        const target = resolveAll(handler.targetInputs(gap), index, false);
        if (!target.values) continue;
        const key = keyOf(gap, target.values);
        this.lastEnsured.delete(key);
        if (this.trusted(key)?.state === UNDONE) continue;
        try {
          const region = regionOf(child);
          if (await handler.undo({ clients: this.options.clients, region }, target.values, gap)) {
            this.options.logger.info({ kind: handler.kind, name: gap.name, region, ...target.values }, `${handler.kind} ${gap.name} undone`);
          }
          this.known.set(key, { state: UNDONE, message: '', at: this.now() });
        } catch (err) {
          this.known.delete(key);
          failures.push(err as Error);
        }
      }
    }
    return { pending: failures.length, ...(failures.length > 0 ? { error: combine(failures) } : {}) };
  }

  private async ensure(child: AwsGapChild, gap: AwsGap, index: ChildIndex, secrets: SecretWriter | undefined): Promise<{ component: ComponentStatus; outputs?: readonly ValueOutput[]; failure?: Error }> {
    const handler = HANDLERS[gap.type] as GapHandler<AwsGap>;
    const base = { component: componentOf(child), kind: handler.kind, name: gap.name };
    const { values, missing } = resolveAll(handler.ensureInputs(gap), index, true);
    if (!values) {
      // A child ACK is updating reports ResourceSynced=False for a while: what AWS generated for it stays an output.
      const target = resolveAll(handler.targetInputs(gap), index, false).values;
      const kept = target && this.lastEnsured.get(keyOf(gap, target))?.outputs;
      return { component: { ...base, state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: `waiting for ${missing.join(', ')}` }, ...(kept ? { outputs: kept } : {}) };
    }
    const key = keyOf(gap, Object.fromEntries(Object.keys(handler.targetInputs(gap)).map((input) => [input, values[input]!])));
    // A declaration is more than its late values (a scaling policy's target): any change acts at once.
    const state = JSON.stringify([gap, values]);
    const known = this.trusted(key);
    if (known?.state === state) return { component: { ...base, state: 'Ready', message: known.message }, ...(known.outputs ? { outputs: known.outputs } : {}) };
    const region = regionOf(child);
    const last = this.lastEnsured.get(key);
    const kept = last?.outputs;
    let result: GapResult;
    try {
      result = await handler.ensure({ clients: this.options.clients, region }, values, gap);
    } catch (err) {
      this.known.delete(key);
      const retry = isRetryable(err);
      const component: ComponentStatus = { ...base, state: retry ? 'Progressing' : 'Failed', reason: retry ? AWS_GAP_REASONS.retrying : AWS_GAP_REASONS.rejected, message: truncate((err as Error).message) };
      return { component, ...(kept ? { outputs: kept } : {}), failure: err as Error };
    }
    const { changed, outputs } = result;
    if (changed) this.options.logger.info({ kind: handler.kind, name: gap.name, region, ...values }, `${handler.kind} ${gap.name}: ${result.message}`);
    const message = !changed && last?.state === state ? last.message : result.message;
    if (result.secret) {
      const failure = await writeSecret(secrets, result.secret.name, result.secret.data);
      if (failure) {
        this.known.delete(key);
        const component: ComponentStatus = { ...base, state: isRetryable(failure) ? 'Progressing' : 'Failed', reason: AWS_GAP_REASONS.secretNotWritten, message: truncate(failure.message) };
        return { component, ...(kept ? { outputs: kept } : {}), failure };
      }
    }
    const ensured = { state, message, ...(outputs ? { outputs } : {}) };
    this.known.set(key, { ...ensured, at: this.now() });
    this.lastEnsured.set(key, ensured);
    return { component: { ...base, state: 'Ready', message }, ...(outputs ? { outputs } : {}) };
  }

  /** The known state of `key` while it is still trusted. */
  private trusted(key: string): Known | undefined {
    const known = this.known.get(key);
    return known && !this.expired(known) ? known : undefined;
  }

  private expired(known: Known): boolean {
    return this.now() - known.at >= (this.options.recheckMs ?? DEFAULT_RECHECK_MS);
  }

  /** Drops states no longer trusted, so that deleted environments' resources are not remembered forever. */
  private forgetExpired(): void {
    for (const [key, known] of this.known) if (this.expired(known)) this.known.delete(key);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * Writes Secret `name`; resolves with the failure, if any, its message naming the Secret with any value of `data`
 * masked (an API server's refusal may quote what it was sent), and the retry decision of the cause.
 */
async function writeSecret(secrets: SecretWriter | undefined, name: string, data: Readonly<Record<string, string>>): Promise<Error | undefined> {
  if (!secrets) return new TerminalError(`Secret ${name}: no Secret writer given to the AWS actions`);
  try {
    await secrets.write(name, data);
    return undefined;
  } catch (err) {
    let reason = (err as Error).message ?? String(err);
    for (const value of Object.values(data)) if (value) reason = reason.split(value).join('***');
    const message = `writing Secret ${name}: ${reason}`;
    return err instanceof TerminalError ? new TerminalError(message) : new Error(message);
  }
}

/** Resolves every input; `values` is undefined (and `missing` names what) while one is unknown. */
function resolveAll(inputs: Readonly<Record<string, LateValue>>, index: ChildIndex, synced: boolean): { values?: GapValues; missing: string[] } {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [input, late] of Object.entries(inputs)) {
    const value = index.resolve(late, synced);
    if (value === undefined) missing.push(describeLateValue(late));
    else values[input] = value;
  }
  return missing.length > 0 ? { missing } : { values, missing };
}

/**
 * What a declaration acts on: its type and target ARNs (unique across environments) and its name (several
 * declarations may act on one resource, e.g. two scaling policies of one group).
 */
const keyOf = (gap: AwsGap, target: GapValues) => `${gap.type} ${gap.name} ${JSON.stringify(target)}`;

function isRetryable(err: unknown): boolean {
  return err instanceof AwsCallError ? err.retryable : !(err instanceof TerminalError);
}

/** One error for several failures: retried with backoff when any of them can be fixed by retrying. */
function combine(failures: readonly Error[]): Error {
  const message = failures.map((f) => f.message).join('; ');
  const retryable = failures.find(isRetryable);
  return retryable ? new Error(`AWS actions failed: ${message}`, { cause: retryable }) : new TerminalError(`AWS actions rejected: ${message}`, { cause: failures[0] });
}

function truncate(s: string): string {
  return s.length > 1024 ? `${s.slice(0, 1021)}...` : s;
}
