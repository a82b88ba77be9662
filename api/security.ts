/** Security section of the MarketplaceEnvironment spec: the environment KMS key and application secrets. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, immutable, type CelRule } from './schema-kit.js';

/** Where an application secret's value comes from. */
export const SECRET_SOURCES = ['Generate', 'Existing', 'CognitoClient'] as const;

/** Schema of `spec.encryption`. */
export const EncryptionSchema = Obj(
  {
    keyRotation: Type.Boolean({ description: 'Yearly automatic rotation of the environment KMS key.', default: true }),
    pendingWindowDays: Type.Integer({ description: 'Waiting period before AWS deletes the key once deletion is scheduled (7 to 30 days). Applies only with deletionPolicy Delete.', minimum: 7, maximum: 30, default: 30 }),
    alias: Type.Boolean({ description: 'Give the key the alias alias/<project>-<region>-<environmentSuffix> (status.outputs.kmsAliasName), a stable name for tools and policies.', default: false }),
    logs: Type.Boolean({
      description:
        'Encrypt every CloudWatch Logs group of the environment with the key (its key policy then lets the CloudWatch Logs service of spec.region use it for log groups of the account). Default false: CloudWatch Logs encrypts with its own key. Immutable: the cloudwatchlogs controller sets a log group\'s key only when it creates the group.',
      default: false,
      'x-kubernetes-validations': [immutable('encryption.logs')],
    }),
  },
  { description: 'The environment KMS key, used by the database, the cache, KMS-encrypted buckets, tables with encryption EnvironmentKey, secrets and, with logs, the log groups.', default: {} },
);

/** Schema of one entry of `spec.secrets`. */
export const AppSecretSchema = Obj(
  {
    name: Type.String({ description: 'Short name, unique in the environment; the Secrets Manager name is <project>/<environmentSuffix>/<name>.', pattern: '^[a-z][a-z0-9-]{0,30}[a-z0-9]$', maxLength: 32 }),
    description: Type.String({ description: 'What the secret is for.', maxLength: 256, default: '' }),
    source: StringEnum(SECRET_SOURCES, {
      description:
        'Generate: the operator generates a random value once into the Kubernetes Secret <name>-secret-<secret name> (key value). Existing: the value is read from existingSecret. CognitoClient: the client secret of the app client cognitoClient, which the operator writes to the Kubernetes Secret <name>-cognito-<client> (key clientSecret) once it has created the client; the secret waits for it.',
      default: 'Generate',
    }),
    existingSecret: Type.Optional(
      Obj(
        {
          name: Type.String({ description: 'Kubernetes Secret (type Opaque) in the environment namespace.', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' }),
          key: Type.String({ description: 'Key in that Secret.', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 }),
        },
        { description: 'The Kubernetes Secret holding the value (source Existing).' },
      ),
    ),
    cognitoClient: Type.Optional(
      Type.String({
        description: 'The app client of spec.identity.clients (with generateSecret) whose client secret this is (source CognitoClient).',
        pattern: '^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$',
        maxLength: 32,
      }),
    ),
    rotationDays: Type.Integer({ description: 'Intended rotation period in days (1 to 1000); recorded as the RotationDays tag and in status.', minimum: 1, maximum: 1000, default: 30 }),
  },
  {
    description: 'An application secret kept in AWS Secrets Manager, encrypted with the environment KMS key.',
    'x-kubernetes-validations': [
      { rule: "(self.source == 'Existing') == has(self.existingSecret)", message: 'existingSecret is required with source Existing and forbidden otherwise', fieldPath: '.existingSecret' },
      { rule: "(self.source == 'CognitoClient') == has(self.cognitoClient)", message: 'cognitoClient is required with source CognitoClient and forbidden otherwise', fieldPath: '.cognitoClient' },
    ],
  },
);

/** One entry of `spec.secrets`. */
export type AppSecretSpec = Static<typeof AppSecretSchema>;

/** Rules of `spec.secrets` against the other sections, evaluated on `spec`. */
export const SECRET_RULES: readonly CelRule[] = [
  {
    rule: "self.secrets.all(s, !has(s.cognitoClient) || (has(self.identity) && self.identity.clients.exists(c, c.name == s.cognitoClient && c.generateSecret)))",
    message: 'every secrets[].cognitoClient must name a client of spec.identity.clients with generateSecret',
    fieldPath: '.secrets',
  },
];
