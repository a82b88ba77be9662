/**
 * The relational database: a DB subnet group plus either an Aurora DBCluster with its DBInstances (writer and
 * readers) or one standalone RDS DBInstance (mysql / postgres). Subnets, the security group and the KMS key are
 * wired with ACK references; an Aurora member names its cluster by identifier because ACK has no ref for that
 * (docs/ack-facts.md, "References and late bindings"), which is safe as the identifier is a deterministic spec name.
 * When the spec asks: Performance Insights on every DBInstance (encrypted with the environment key), and log exports to
 * CloudWatch Logs on the DBCluster or the standalone DBInstance. The RDS Proxy is database-proxy.ts.
 */
import type { ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import type { DatabaseSpec } from '../../api/index.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import type { GeneratedSecret } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';
import { databasePort } from '../ports.js';
import { finalSnapshotAnnotations, MEMBER_SNAPSHOT_ANNOTATIONS } from './rds-annotations.js';

/** Instance class of Aurora Serverless v2 instances. */
export const SERVERLESS_INSTANCE_CLASS = 'db.serverless';
/** Storage of a standalone instance when the spec leaves it open: the RDS minimum for gp2/gp3. */
export const DEFAULT_ALLOCATED_STORAGE_GIB = 20;
/** Key of the master password in the generated Kubernetes Secret. */
export const MASTER_PASSWORD_KEY = 'password';
/** Length of a generated master password (RDS allows up to 41 for MySQL, so 32 fits every engine). */
export const MASTER_PASSWORD_LENGTH = 32;

/** Props of {@link Database}. */
export interface DatabaseProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.database`, defaulted. */
  readonly spec: DatabaseSpec;
  /** Kubernetes names of the subnets of `spec.subnetTier` (at least two zones). */
  readonly subnetNames: string[];
  /** Kubernetes name of the database tier's security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the environment KMS key. */
  readonly kmsKeyName: string;
}

/** Whether `engine` is an Aurora engine (a DBCluster with member DBInstances). */
export function isAurora(engine: DatabaseSpec['engine']): boolean {
  return engine.startsWith('aurora');
}

/** The database of one environment. */
export class Database extends Construct {
  /** Kubernetes name of the primary object: the DBCluster (Aurora) or the standalone DBInstance. */
  static primaryName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('db');
  }

  /** AWS identifier of the DBCluster (Aurora) or of the standalone DBInstance. */
  static identifier(ctx: EnvironmentContext): string {
    return ctx.names.aws('db');
  }

  /** Kubernetes Secret holding the generated master password (credentials GeneratedSecret), key `password`. */
  static masterSecretName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('db', 'master');
  }

  /** Kubernetes name of the DBSubnetGroup. */
  readonly subnetGroupName: string;
  /** Kubernetes name of the primary object (see {@link Database.primaryName}). */
  readonly primaryName: string;
  /** Kind of the primary object: it holds the endpoint, port and master user secret in its status. */
  readonly primaryKind: 'DBCluster' | 'DBInstance';

  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, private readonly props: DatabaseProps) {
    super(scope, id);
    this.ctx = props.ctx;
    const { names } = this.ctx;
    this.subnetGroupName = names.k8s('db-subnets');
    this.primaryName = Database.primaryName(this.ctx);
    this.primaryKind = isAurora(props.spec.engine) ? 'DBCluster' : 'DBInstance';
    new rds.DbSubnetGroup(this, 'subnet-group', {
      metadata: this.ctx.metadata('database', this.subnetGroupName, { underpinsData: true }),
      spec: {
        name: names.aws('db-subnets'),
        description: `${names.aws()}: subnets of the database`,
        subnetRefs: props.subnetNames.map((name) => this.ctx.ref(name)),
        tags: names.tags(names.aws('db-subnets')),
      },
    });
    if (this.primaryKind === 'DBCluster') this.renderAurora();
    else this.renderStandalone();
  }

  private renderAurora(): void {
    const { spec } = this.props;
    const { names } = this.ctx;
    const identifier = Database.identifier(this.ctx);
    new rds.DbCluster(this, 'cluster', {
      metadata: this.primaryMetadata(identifier),
      spec: {
        dbClusterIdentifier: identifier,
        // Serverless v2 is "provisioned" mode with db.serverless instances; serverless mode is the legacy v1.
        engineMode: 'provisioned',
        serverlessV2ScalingConfiguration: spec.serverless ? { minCapacity: spec.serverless.minACU, maxCapacity: spec.serverless.maxACU } : undefined,
        databaseName: spec.databaseName,
        ...this.primarySpec(identifier),
      },
    });
    const instanceClass = this.instanceClass();
    for (let i = 0; i <= spec.readers; i++) {
      const name = names.k8s('db', i);
      new rds.DbInstance(this, `instance-${i}`, {
        // Members hold no data of their own: storage, backups and the final snapshot belong to the cluster.
        metadata: this.ctx.metadata('database', name, { dataBearing: true, annotations: { ...MEMBER_SNAPSHOT_ANNOTATIONS } }),
        spec: {
          dbInstanceIdentifier: names.aws('db', i),
          dbClusterIdentifier: identifier,
          engine: spec.engine,
          dbInstanceClass: instanceClass,
          // AWS makes the first member it creates the writer; ACK applies all at once, so index 0 is only intent.
          // Tier 0/1 readers are preferred failover targets, and Serverless v2 readers in those tiers scale with
          // the writer, so a failover never lands on an instance scaled down to minACU.
          promotionTier: i === 0 ? 0 : 1,
          publiclyAccessible: false,
          // Per member, the way Aurora has always offered it (the cluster-level setting came later, with Database
          // Insights). ACK compares these fields only on standalone instances: a member keeps what it was created with.
          ...this.performanceInsights(),
          tags: names.tags(names.aws('db', i)),
        },
      });
    }
  }

  private renderStandalone(): void {
    const { spec } = this.props;
    const identifier = Database.identifier(this.ctx);
    new rds.DbInstance(this, 'instance', {
      metadata: this.primaryMetadata(identifier),
      spec: {
        dbInstanceIdentifier: identifier,
        dbInstanceClass: this.instanceClass(),
        allocatedStorage: spec.allocatedStorageGiB ?? DEFAULT_ALLOCATED_STORAGE_GIB,
        multiAz: spec.multiAZ,
        publiclyAccessible: false,
        dbName: spec.databaseName,
        ...this.performanceInsights(),
        ...this.primarySpec(identifier),
      },
    });
  }

  /** Performance Insights fields of a DBInstance, encrypted with the environment key (none without the section). */
  private performanceInsights(): Pick<rds.DbInstanceSpec, 'performanceInsightsEnabled' | 'performanceInsightsKmsKeyRef' | 'performanceInsightsRetentionPeriod'> {
    const insights = this.props.spec.performanceInsights;
    if (!insights) return {};
    return {
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyRef: this.ctx.ref(this.props.kmsKeyName),
      performanceInsightsRetentionPeriod: insights.retentionDays,
    };
  }

  /** Metadata of the object that owns storage and credentials: data-bearing, with the final-snapshot choice. */
  private primaryMetadata(identifier: string): ApiObjectMetadata {
    const generatedSecrets: GeneratedSecret[] =
      this.props.spec.credentials === 'GeneratedSecret'
        ? [{ name: Database.masterSecretName(this.ctx), key: MASTER_PASSWORD_KEY, length: MASTER_PASSWORD_LENGTH }]
        : [];
    return this.ctx.metadata('database', this.primaryName, {
      dataBearing: true,
      // The controller creates the Secret before applying: ACK treats a missing Secret as Terminal (docs/ack-facts.md).
      generatedSecrets,
      annotations: finalSnapshotAnnotations(this.ctx.spec.deletionPolicy, identifier, this.ctx.env.metadata.uid),
      outputs: this.primaryOutputs(),
    });
  }

  /**
   * Outputs of the primary object. A DBCluster reports its endpoints as host names, a standalone DBInstance as
   * `{address, port}`; the port is the rendered one (AWS's own as a fallback).
   */
  private primaryOutputs(): OutputDeclaration[] {
    const outputs: OutputDeclaration[] =
      this.primaryKind === 'DBCluster'
        ? [
            { output: '/database/writerEndpoint', fieldPath: 'status.endpoint' },
            { output: '/database/readerEndpoint', fieldPath: 'status.readerEndpoint' },
            { output: '/database/port', fieldPath: 'spec.port' },
          ]
        : [
            { output: '/database/writerEndpoint', fieldPath: 'status.endpoint.address' },
            { output: '/database/port', fieldPath: 'spec.port' },
            { output: '/database/port', fieldPath: 'status.endpoint.port' },
          ];
    outputs.push({ output: '/database/masterUserSecretARN', fieldPath: 'status.masterUserSecret.secretARN' });
    if (this.props.spec.credentials === 'GeneratedSecret') outputs.push({ output: '/database/credentialsSecret', value: Database.masterSecretName(this.ctx) });
    return outputs;
  }

  /** Spec fields the DBCluster and the standalone DBInstance share (same names in both ACK kinds). */
  private primarySpec(identifier: string) {
    const { spec, securityGroupName, kmsKeyName } = this.props;
    const { ctx } = this;
    // AWSManaged: RDS keeps (and rotates) the password in Secrets Manager, encrypted with the environment key.
    const credentials =
      spec.credentials === 'AWSManaged'
        ? { manageMasterUserPassword: true, masterUserSecretKmsKeyRef: ctx.ref(kmsKeyName) }
        : { masterUserPassword: { name: Database.masterSecretName(ctx), key: MASTER_PASSWORD_KEY } };
    return {
      engine: spec.engine,
      engineVersion: spec.engineVersion,
      masterUsername: spec.masterUsername,
      ...credentials,
      port: databasePort(spec.engine),
      dbSubnetGroupRef: ctx.ref(this.subnetGroupName),
      vpcSecurityGroupRefs: [ctx.ref(securityGroupName)],
      storageEncrypted: spec.storageEncrypted,
      kmsKeyRef: spec.storageEncrypted ? ctx.ref(kmsKeyName) : undefined,
      backupRetentionPeriod: spec.backupRetentionDays,
      preferredBackupWindow: spec.preferredBackupWindow,
      preferredMaintenanceWindow: spec.preferredMaintenanceWindow,
      // On the cluster for Aurora: its members' logs are exported through it.
      enableCloudwatchLogsExports: spec.logExports ? [...spec.logExports] : undefined,
      deletionProtection: spec.deletionProtection,
      copyTagsToSnapshot: true,
      tags: ctx.names.tags(identifier),
    };
  }

  private instanceClass(): string {
    const { spec } = this.props;
    const instanceClass = spec.serverless ? SERVERLESS_INSTANCE_CLASS : spec.instanceClass;
    // The CRD's CEL rules guarantee one of them; this only guards a spec that bypassed validateEnvironment.
    if (!instanceClass) throw new Error('spec.database: set serverless (Aurora) or instanceClass');
    return instanceClass;
  }
}
