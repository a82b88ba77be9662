/**
 * Registry: the environment's ECR repository (spec.registry). Images are data: the repository carries the
 * environment's deletion policy, and under deletionPolicy Delete it is force-deleted, images included (ECR refuses to
 * delete a repository that still holds images, and the environment's deletion would never finish).
 *
 * Encryption stays ECR's default (AES256), rendered explicitly so ACK finds nothing to change: the KMS alternative is
 * immutable, and the ECR CRD the Go module proxy serves here has no reference to a kms Key.
 */
import { Construct } from 'constructs';
import type { RegistrySpec } from '../../api/index.js';
import * as ecr from '../../imports/ecr.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { stableJson } from './storage.js';

/** ecr-controller annotation: delete the repository even while it holds images. */
export const FORCE_DELETE_ANNOTATION = 'ecr.services.k8s.aws/force-delete';

/** Props of {@link Registry}. */
export interface RegistryProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.registry`, defaulted. */
  readonly spec: RegistrySpec;
}

/** ECR lifecycle policy keeping the newest `keep` images, tagged or not, and expiring the rest. */
export function keepLastImagesPolicy(keep: number): string {
  return stableJson({
    rules: [
      {
        rulePriority: 1,
        description: `keep the newest ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

/** The ECR repository of one environment. */
export class Registry extends Construct {
  /** Kubernetes name of the Repository (image bindings and IAM policies read its status). */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('registry');
  }

  /** ECR name of the repository: `<project>-app-<environmentSuffix>` (at most 16 + 5 + 12 characters). */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('app');
  }

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const awsName = Registry.awsName(ctx);
    const deletes = ctx.spec.deletionPolicy === 'Delete';
    new ecr.Repository(this, 'repository', {
      metadata: ctx.metadata('registry', Registry.resourceName(ctx), {
        dataBearing: true,
        annotations: deletes ? { [FORCE_DELETE_ANNOTATION]: 'true' } : {},
        outputs: [{ output: '/registry/repositoryURI', fieldPath: 'status.repositoryURI' }],
      }),
      spec: {
        name: awsName,
        imageScanningConfiguration: { scanOnPush: spec.scanOnPush },
        imageTagMutability: spec.tagImmutability ? 'IMMUTABLE' : 'MUTABLE',
        lifecyclePolicy: keepLastImagesPolicy(spec.keepLastImages),
        encryptionConfiguration: { encryptionType: 'AES256' },
        tags: ctx.names.tags(awsName),
      },
    });
  }
}
