/**
 * Application secrets: one Secrets Manager Secret per `spec.secrets` entry, encrypted with the environment key.
 * ACK cannot generate a value (GenerateSecretString is not modelled, docs/ack-facts.md): `secretString` always
 * reads a Kubernetes Secret. For source Generate the controller creates that Secret once (random value) before
 * applying; for source Existing the user provides it; for source CognitoClient the operator writes it when it creates
 * the app client (user-pool.ts), so the Secret CR is held back until the client's id is in the environment's outputs.
 */
import { Construct } from 'constructs';
import type { AppSecretSpec } from '../../api/index.js';
import * as secretsmanager from '../../imports/secretsmanager.services.k8s.aws.js';
import type { Binding, GeneratedSecret } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { CLIENT_SECRET_KEYS, UserPool } from './user-pool.js';

/** Key of the value in a generated Kubernetes Secret. */
export const GENERATED_VALUE_KEY = 'value';
/** Length of a generated value. */
export const GENERATED_VALUE_LENGTH = 48;
/** AWS tag recording the intended rotation period (nothing rotates the value yet). */
export const ROTATION_DAYS_TAG = 'RotationDays';

/** Props of {@link AppSecrets}. */
export interface AppSecretsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.secrets`, defaulted. */
  readonly secrets: AppSecretSpec[];
  /** Kubernetes name of the environment KMS key. */
  readonly kmsKeyName: string;
}

/** The application secrets of one environment. */
export class AppSecrets extends Construct {
  /** Kubernetes name of the Secret CR of `secretName`; for source Generate also of the generated Kubernetes Secret. */
  static resourceName(ctx: EnvironmentContext, secretName: string): string {
    return ctx.names.k8s('secret', secretName);
  }

  /** Secrets Manager name of `secretName`: `<project>/<environmentSuffix>/<name>`. */
  static awsName(ctx: EnvironmentContext, secretName: string): string {
    const { project, environmentSuffix } = ctx.spec;
    return `${project}/${environmentSuffix}/${secretName}`;
  }

  /** Kubernetes names of the Secret CRs, in spec order. */
  readonly names: string[];

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    const { ctx } = props;
    this.names = props.secrets.map((secret, i) => {
      const name = AppSecrets.resourceName(ctx, secret.name);
      const awsName = AppSecrets.awsName(ctx, secret.name);
      // An empty description would differ from what AWS reads back (none), so fall back to a fixed one.
      const description = secret.description || `${ctx.names.aws()}: application secret ${secret.name}`;
      const value = AppSecrets.valueSource(ctx, secret, description);
      new secretsmanager.Secret(this, secret.name, {
        metadata: ctx.metadata('secrets', name, {
          dataBearing: true,
          generatedSecrets: value.generated,
          bindings: value.bindings,
          outputs: [
            { output: `/secrets/${i}/name`, value: secret.name },
            { output: `/secrets/${i}/arn`, fieldPath: 'status.id' },
            { output: `/secrets/${i}/rotationDays`, value: secret.rotationDays },
          ],
        }),
        spec: {
          // name is immutable, and AWS keeps a deleted name for its 30-day recovery window (docs/ack-facts.md, "Deletion").
          name: awsName,
          description,
          kmsKeyRef: ctx.ref(props.kmsKeyName),
          secretString: value.ref,
          tags: [...ctx.names.tags(awsName).filter((t) => t.key !== ROTATION_DAYS_TAG), { key: ROTATION_DAYS_TAG, value: String(secret.rotationDays) }].sort(
            (a, b) => a.key.localeCompare(b.key),
          ),
        },
      });
      return name;
    });
  }

  /**
   * Where the value of `secret` is read from, the Kubernetes Secret to generate for it (source Generate), and the
   * bindings holding it back until that value exists (source CognitoClient).
   */
  private static valueSource(
    ctx: EnvironmentContext,
    secret: AppSecretSpec,
    description: string,
  ): { ref: { name: string; key: string }; generated: GeneratedSecret[]; bindings: Binding[] } {
    if (secret.source === 'Existing') {
      // The CRD's CEL rule makes existingSecret present exactly for source Existing.
      const existing = secret.existingSecret;
      if (!existing) throw new Error(`spec.secrets[${secret.name}]: source Existing needs existingSecret`);
      return { ref: { name: existing.name, key: existing.key }, generated: [], bindings: [] };
    }
    if (secret.source === 'CognitoClient') {
      // The CRD's CEL rules make cognitoClient name a client of spec.identity with generateSecret.
      const client = secret.cognitoClient;
      const identity = ctx.spec.identity;
      if (!client || !identity) throw new Error(`spec.secrets[${secret.name}]: source CognitoClient needs cognitoClient and spec.identity`);
      // The operator writes the client's Secret in the pass that creates the client, and its id to the outputs: a
      // required binding on that id holds the Secret CR back until then (ACK would fail on a missing Secret). The
      // template has no placeholder: the description stays as rendered.
      const binding: Binding = { path: '/spec/description', ...UserPool.clientIDSource(ctx, identity, client), template: description, required: true };
      return { ref: { name: UserPool.clientSecretName(ctx, client), key: CLIENT_SECRET_KEYS.clientSecret }, generated: [], bindings: [binding] };
    }
    const name = AppSecrets.resourceName(ctx, secret.name);
    return { ref: { name, key: GENERATED_VALUE_KEY }, generated: [{ name, key: GENERATED_VALUE_KEY, length: GENERATED_VALUE_LENGTH }], bindings: [] };
  }
}
