/**
 * An RDS Proxy in front of the database (`spec.database.proxy`): connection pooling for the app tier, in the database
 * subnets, with its own security group, requiring TLS. It signs in to the database with the master user secret RDS
 * manages (credentials AWSManaged; the CRD rejects a proxy with GeneratedSecret, whose password is only in a
 * Kubernetes Secret), through a derived IAM role that may read exactly that secret and decrypt it with the
 * environment key through Secrets Manager only.
 *
 * The served rds-controller's DBProxy has a reference only for its role: the subnet ids, its security group id and
 * the secret ARN are late bindings (bindings.ts), so the proxy is held back until the subnets, the group and the
 * database exist. Which database the proxy fronts is not a DBProxy field either (RegisterDBProxyTargets has no ACK
 * kind): the DBProxy declares it as an RdsProxyTargets member of aws-gaps.ts, which the operator carries out.
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import type { DatabaseSpec } from '../../api/index.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import { ARN_FIELD, arnOf, awsGapAnnotations, type RdsProxyTargets } from '../aws-gaps.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { databasePort } from '../ports.js';
import { Database, isAurora } from './database.js';
import { DerivedRole, LATE, type Grant } from './iam.js';

/** Service principal of RDS, which assumes the proxy's role. */
export const RDS_PRINCIPAL = 'rds.amazonaws.com';
/** Where RDS reports the ARN of the master user secret it manages, on the DBCluster or the standalone DBInstance. */
export const MASTER_SECRET_ARN_FIELD = 'status.masterUserSecret.secretARN';

/** Props of {@link DatabaseProxy}. */
export interface DatabaseProxyProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.database`, defaulted, with `proxy` set. */
  readonly spec: DatabaseSpec;
  /** Kubernetes names of the database's subnets (`spec.database.subnetTier`, at least two zones): the proxy's subnets. */
  readonly subnetNames: string[];
  /** Kubernetes name of the VPC (the proxy's security group is created in it). */
  readonly vpcName: string;
  /** Kubernetes name of the app tier's security group: the clients the proxy admits. */
  readonly appSecurityGroupName: string;
  /** Kubernetes name of the environment KMS key, which encrypts the master user secret. */
  readonly kmsKeyName: string;
}

const tcp = (port: number) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port });

/** The RDS Proxy of one environment, its security group and its role. */
export class DatabaseProxy extends Construct {
  /** Kubernetes name of the DBProxy. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('db', 'proxy');
  }

  /** AWS name of the proxy: `<project>-proxy-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('proxy');
  }

  /** Kubernetes name of the proxy's security group (the database tier's group admits it). */
  static securityGroupName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('sg', 'db-proxy');
  }

  /** Kubernetes name of the DBProxy (see {@link DatabaseProxy.resourceName}). */
  readonly name: string;
  /** Kubernetes name of the proxy's IAM role. */
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: DatabaseProxyProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    const proxy = spec.proxy;
    // The CRD's CEL rules guarantee both; this only guards a spec that bypassed validateEnvironment.
    if (!proxy) throw new Error('spec.database.proxy is not set');
    if (spec.credentials !== 'AWSManaged') throw new Error('spec.database.proxy requires credentials AWSManaged');
    this.name = DatabaseProxy.resourceName(ctx);
    const port = databasePort(spec.engine);
    const securityGroupName = DatabaseProxy.securityGroupName(ctx);
    const sgAwsName = names.aws('db-proxy', 'sg');
    new ec2.SecurityGroup(this, 'security-group', {
      // Retained with the data, like the app group: the retained database group's rules name this group, and AWS
      // refuses to delete a group another group's rules reference.
      metadata: ctx.metadata('security', securityGroupName, { underpinsData: true, identity: IDENTITY.securityGroup, outputs: [{ output: '/securityGroupIDs/dbProxy', fieldPath: 'status.id' }] }),
      spec: {
        name: sgAwsName,
        description: `${names.aws()}: RDS Proxy: app tier in, database tier out`,
        vpcRef: ctx.ref(props.vpcName),
        ingressRules: [{ ...tcp(port), userIdGroupPairs: [{ groupRef: ctx.ref(props.appSecurityGroupName), description: 'from the app tier' }] }],
        // By CIDR, not by group: the database group's rules name this one, and two groups naming each other never sync.
        egressRules: [{ ...tcp(port), ipRanges: [{ cidrIp: ctx.spec.network.vpcCIDR, description: 'to the database tier' }] }],
        tags: names.tags(sgAwsName),
      },
    });

    const database = { ...(isAurora(spec.engine) ? rds.DbCluster.GVK : rds.DbInstance.GVK), name: Database.primaryName(ctx) };
    const role = new DerivedRole(this, 'role', {
      ctx,
      name: 'db-proxy',
      service: RDS_PRINCIPAL,
      description: 'RDS Proxy: read the database master user secret',
      grants: proxyRoleGrants(ctx, database, props.kmsKeyName),
      component: 'database',
    });
    this.roleName = role.resourceName;

    const awsName = DatabaseProxy.awsName(ctx);
    const bindings: Binding[] = [
      { path: '/spec/auth/0/secretARN', from: database, fieldPath: MASTER_SECRET_ARN_FIELD, required: true },
      ...props.subnetNames.map((name, i): Binding => ({ path: `/spec/vpcSubnetIDs/${i}`, from: { ...ec2.Subnet.GVK, name }, fieldPath: 'status.subnetID', required: true })),
      { path: '/spec/vpcSecurityGroupIDs/0', from: { ...ec2.SecurityGroup.GVK, name: securityGroupName }, fieldPath: 'status.id', required: true },
    ];
    const identifier = Database.identifier(ctx);
    const targets: RdsProxyTargets = {
      type: 'RdsProxyTargets',
      name: names.k8s('db', 'proxy', 'targets'),
      proxyARN: arnOf({ ...rds.DbProxy.GVK, name: this.name }),
      proxyName: awsName,
      databaseARN: arnOf(database),
      ...(isAurora(spec.engine) ? { dbClusterIdentifier: identifier } : { dbInstanceIdentifier: identifier }),
    };
    const mysql = spec.engine.includes('mysql');
    new rds.DbProxy(this, 'proxy', {
      metadata: ctx.metadata('database', this.name, {
        bindings,
        outputs: [{ output: '/database/proxyEndpoint', fieldPath: 'status.endpoint' }],
        annotations: awsGapAnnotations([targets]),
      }),
      spec: {
        name: awsName,
        engineFamily: mysql ? 'MYSQL' : 'POSTGRESQL',
        auth: [
          {
            authScheme: 'SECRETS',
            // The element is the binding's target; the proxy is held back until the secret ARN replaces it.
            secretArn: VALUE_PLACEHOLDER,
            iamAuth: proxy.iamAuth,
            // Rendered although these are the usual defaults: ACK compares the whole auth list with what RDS reports.
            clientPasswordAuthType: mysql ? 'MYSQL_NATIVE_PASSWORD' : 'POSTGRES_SCRAM_SHA_256',
          },
        ],
        roleRef: ctx.ref(role.resourceName),
        requireTls: true,
        idleClientTimeout: proxy.idleClientTimeoutSeconds,
        // Debug logging writes SQL statements, and so possibly secrets, to CloudWatch Logs.
        debugLogging: false,
        vpcSubnetIDs: props.subnetNames.map(() => VALUE_PLACEHOLDER),
        vpcSecurityGroupIDs: [VALUE_PLACEHOLDER],
        tags: names.tags(awsName),
      },
    });
  }
}

/**
 * Grants of the proxy's role: read exactly the database's master user secret (its ARN, reported by RDS), and decrypt
 * it with the environment key through Secrets Manager only.
 */
export function proxyRoleGrants(ctx: EnvironmentContext, database: Binding['from'], kmsKeyName: string): Grant[] {
  return [
    {
      name: 'secret',
      description: 'read the database master user secret RDS manages',
      statements: [{ Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: LATE }],
      value: { from: database, fieldPath: MASTER_SECRET_ARN_FIELD },
    },
    {
      name: 'kms',
      description: 'decrypt the database secret with the environment key, through Secrets Manager only',
      statements: [
        {
          Sid: 'DecryptDatabaseSecret',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: LATE,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${ctx.spec.region}.amazonaws.com` } },
        },
      ],
      value: { from: { ...kms.Key.GVK, name: kmsKeyName }, fieldPath: ARN_FIELD },
    },
  ];
}
