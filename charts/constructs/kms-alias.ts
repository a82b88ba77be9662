/**
 * The alias of the environment KMS key (spec.encryption.alias): `alias/<project>-<region>-<environmentSuffix>`, a
 * stable, readable name for tools and key policies (seed 003 names its key per region). `targetKeyRef` lets ACK
 * resolve the key once it is synced.
 *
 * Not data-bearing: an alias holds no data, and deleting it with the environment frees its name for a new key, while
 * a retained key stays usable by its ARN (status.outputs.kmsKeyARN).
 */
import { Construct } from 'constructs';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link KmsAlias}. */
export interface KmsAliasProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Kubernetes name of the environment's KMS Key (kms-key.ts). */
  readonly kmsKeyName: string;
}

/** The alias of the environment KMS key. */
export class KmsAlias extends Construct {
  /** Kubernetes name of the Alias. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('kms', 'alias');
  }

  /** The alias: `alias/<project>-<region>-<environmentSuffix>` (project, region and suffix are immutable, so is it). */
  static aliasName(ctx: EnvironmentContext): string {
    const { project, region, environmentSuffix } = ctx.spec;
    return `alias/${project}-${region}-${environmentSuffix}`;
  }

  constructor(scope: Construct, id: string, props: KmsAliasProps) {
    super(scope, id);
    const { ctx } = props;
    const aliasName = KmsAlias.aliasName(ctx);
    new kms.Alias(this, 'alias', {
      metadata: ctx.metadata('encryption', KmsAlias.resourceName(ctx), { outputs: [{ output: '/kmsAliasName', value: aliasName }] }),
      spec: { name: aliasName, targetKeyRef: ctx.ref(props.kmsKeyName) },
    });
  }
}
