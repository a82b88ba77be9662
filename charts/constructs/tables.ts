/**
 * Tables: one DynamoDB table per `spec.tables` entry. Tables hold data: they carry the environment's deletion policy
 * (Retain keeps the table and its items in AWS).
 *
 * Rendered explicitly, so the dynamodb controller finds nothing to change (a field left out is one it keeps diffing
 * against what DescribeTable reports):
 * - `sseSpecification` for every encryption, AWS-owned included (`enabled: false` is how DynamoDB says "AWS-owned key");
 * - `contributorInsights` as the action the CRD takes (`ENABLE`/`DISABLE`), `deletionProtectionEnabled`, and PITR.
 *
 * A table encrypted with the environment key names it through `kmsMasterKeyRef`, which resolves to the Key's ARN (the
 * table waits until the key is synced), like the other references to the key.
 */
import { Construct } from 'constructs';
import type { TableSpec } from '../../api/index.js';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { ARN } from './iam-grants.js';

/** Props of {@link Tables}. */
export interface TablesProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.tables`, defaulted. */
  readonly specs: readonly TableSpec[];
  /** Kubernetes name of the environment's kms Key (tables with encryption EnvironmentKey). */
  readonly kmsKeyName: string;
}

type KeyAttribute = TableSpec['partitionKey'];

/** Every key attribute of the table and its indexes, once each, in the order first used. */
export function attributeDefinitions(table: TableSpec): dynamodb.TableSpecAttributeDefinitions[] {
  const keys = [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
  const seen = new Map<string, KeyAttribute>();
  for (const key of keys) if (key && !seen.has(key.name)) seen.set(key.name, key);
  return [...seen.values()].map((k) => ({ attributeName: k.name, attributeType: k.type }));
}

/** A key schema: the partition key (HASH), then the sort key (RANGE) when there is one. */
function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): dynamodb.TableSpecKeySchema[] {
  return [{ attributeName: partitionKey.name, keyType: 'HASH' }, ...(sortKey ? [{ attributeName: sortKey.name, keyType: 'RANGE' }] : [])];
}

/** The DynamoDB tables of one environment. */
export class Tables extends Construct {
  /** Kubernetes name of the Table `name` (policies, bindings and outputs name it). */
  static resourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('table', name);
  }

  /** DynamoDB name of the table `name`: `<project>-<name>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.aws(name);
  }

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    props.specs.forEach((table, i) => this.renderTable(props, table, i));
  }

  /** Renders `table`, the `index`th of the spec (its place in the outputs). */
  private renderTable(props: TablesProps, table: TableSpec, index: number): void {
    const { ctx } = props;
    const awsName = Tables.awsName(ctx, table.name);
    const provisioned = table.billingMode === 'PROVISIONED' ? table.provisioned : undefined;
    if (table.billingMode === 'PROVISIONED' && !provisioned) throw new Error(`spec.tables[${table.name}]: billingMode PROVISIONED needs provisioned`);
    // The table's throughput, which every index gets too (the API has one setting per table).
    const throughput = provisioned ? { provisionedThroughput: { readCapacityUnits: provisioned.readCapacityUnits, writeCapacityUnits: provisioned.writeCapacityUnits } } : {};
    new dynamodb.Table(this, table.name, {
      metadata: ctx.metadata('tables', Tables.resourceName(ctx, table.name), {
        dataBearing: true,
        outputs: [
          { output: `/tables/${index}/name`, value: table.name },
          { output: `/tables/${index}/tableName`, value: awsName },
          { output: `/tables/${index}/arn`, fieldPath: ARN },
        ],
      }),
      spec: {
        tableName: awsName,
        attributeDefinitions: attributeDefinitions(table),
        keySchema: keySchema(table.partitionKey, table.sortKey),
        billingMode: table.billingMode,
        ...throughput,
        ...(table.globalSecondaryIndexes.length > 0
          ? {
              globalSecondaryIndexes: table.globalSecondaryIndexes.map((g) => ({
                indexName: g.name,
                keySchema: keySchema(g.partitionKey, g.sortKey),
                projection: { projectionType: g.projection, ...(g.projection === 'INCLUDE' ? { nonKeyAttributes: [...g.nonKeyAttributes] } : {}) },
                ...throughput,
              })),
            }
          : {}),
        ...(table.ttlAttribute ? { timeToLive: { attributeName: table.ttlAttribute, enabled: true } } : {}),
        continuousBackups: { pointInTimeRecoveryEnabled: table.pointInTimeRecovery },
        sseSpecification: this.sse(props, table),
        contributorInsights: table.contributorInsights ? 'ENABLE' : 'DISABLE',
        deletionProtectionEnabled: table.deletionProtection,
        tags: ctx.names.tags(awsName),
      },
    });
  }

  /** Server-side encryption as DynamoDB reports it back: AWS-owned (disabled), AWS-managed KMS, or the environment key. */
  private sse(props: TablesProps, table: TableSpec): dynamodb.TableSpecSseSpecification {
    switch (table.encryption) {
      case 'AWSOwned':
        return { enabled: false };
      case 'AWSManaged':
        return { enabled: true, sseType: 'KMS' };
      case 'EnvironmentKey':
        return { enabled: true, sseType: 'KMS', kmsMasterKeyRef: props.ctx.ref(props.kmsKeyName) };
    }
  }
}
