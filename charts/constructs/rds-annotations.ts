/**
 * Final-snapshot annotations of the rds-controller (`rds-controller:apis/v1alpha1/annotation.go`). Without them
 * the controller skips the final snapshot, so a Retain environment sets them explicitly: should a retained
 * database's CR ever be deleted with the `delete` policy after all (someone flips the annotation), RDS still keeps
 * a final snapshot. Delete environments promise "no final DB snapshot" (api/spec.ts) and skip it.
 */
import type { MarketplaceEnvironmentSpec } from '../../api/index.js';

/** "true": delete without a final snapshot; "false": take one named by {@link FINAL_SNAPSHOT_ID_ANNOTATION}. */
export const SKIP_FINAL_SNAPSHOT_ANNOTATION = 'rds.services.k8s.aws/skip-final-snapshot';
/** Identifier of the final snapshot (DB snapshot for an instance, cluster snapshot for a cluster). */
export const FINAL_SNAPSHOT_ID_ANNOTATION = 'rds.services.k8s.aws/final-db-snapshot-identifier';

/**
 * Identifier of the final snapshot of the DBCluster or standalone DBInstance identified by `identifier`. The
 * environment's uid (when known) makes it unique per environment instance: snapshot names are unique per account and
 * region, so a fixed name would make the final snapshot of a re-created environment fail.
 */
export function finalSnapshotIdentifier(identifier: string, uid?: string): string {
  return uid ? `${identifier}-final-${uid.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase()}` : `${identifier}-final`;
}

/** Snapshot annotations of a DBCluster or standalone DBInstance identified by `identifier`. */
export function finalSnapshotAnnotations(policy: MarketplaceEnvironmentSpec['deletionPolicy'], identifier: string, uid?: string): Record<string, string> {
  if (policy === 'Delete') return { [SKIP_FINAL_SNAPSHOT_ANNOTATION]: 'true' };
  return { [SKIP_FINAL_SNAPSHOT_ANNOTATION]: 'false', [FINAL_SNAPSHOT_ID_ANNOTATION]: finalSnapshotIdentifier(identifier, uid) };
}

/** Snapshot annotations of an Aurora member instance: the final snapshot belongs to the cluster, never to a member. */
export const MEMBER_SNAPSHOT_ANNOTATIONS: Readonly<Record<string, string>> = { [SKIP_FINAL_SNAPSHOT_ANNOTATION]: 'true' };
