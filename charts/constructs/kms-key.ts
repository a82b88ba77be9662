/**
 * The environment KMS key: one customer-managed key encrypting the database, the cache, KMS-encrypted buckets and
 * the application secrets. Every consumer points at it with a `kmsKeyRef`, so ACK resolves the ARN (or key id)
 * once the key is synced. It is data-bearing: deleting it makes everything encrypted with it unreadable.
 */
import { Construct } from 'constructs';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';

/** ACK annotation setting the waiting period of ScheduleKeyDeletion (the controller's default is 7 days). */
export const PENDING_WINDOW_ANNOTATION = 'kms.services.k8s.aws/pending-window-in-days';

/** Props of {@link KmsKey}. */
export interface KmsKeyProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
}

/** The customer-managed KMS key of one environment. */
export class KmsKey extends Construct {
  /** Kubernetes name of the Key (what consumers put in `kmsKeyRef`). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const { ctx } = props;
    const { names, spec } = ctx;
    this.name = names.k8s('kms');
    new kms.Key(this, 'key', {
      metadata: ctx.metadata('encryption', this.name, {
        dataBearing: true,
        // Only used when ACK deletes the key (deletionPolicy Delete); with Retain the key stays untouched.
        annotations: { [PENDING_WINDOW_ANNOTATION]: String(spec.encryption.pendingWindowDays) },
        outputs: [{ output: '/kmsKeyARN', fieldPath: 'status.ackResourceMetadata.arn' }],
      }),
      spec: {
        // description is immutable in ACK: it depends only on immutable spec fields (project, environmentSuffix).
        description: `${names.aws()}: environment key for the database, cache, buckets and secrets`,
        enableKeyRotation: spec.encryption.keyRotation,
        // kms Key is the one ACK kind whose tags use tagKey/tagValue instead of key/value.
        tags: names.tags(names.aws('kms')).map(({ key, value }) => ({ tagKey: key, tagValue: value })),
      },
    });
  }
}
