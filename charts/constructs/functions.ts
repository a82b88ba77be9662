/**
 * Functions (spec.functions): one {@link LambdaFunction} each (the Function, its log group, its role, and its `live`
 * alias when an API route targets it), placed in the subnets of its tier with the app security group when it runs in
 * the VPC.
 */
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../api/index.js';
import type { EnvironmentContext } from '../context.js';
import type { LateValue } from './iam.js';
import { LambdaFunction } from './lambda-function.js';

/** Props of {@link Functions}. */
export interface FunctionsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.functions`, defaulted. */
  readonly specs: readonly FunctionSpec[];
  /** Kubernetes names of the subnets of a tier (functions with spec.vpc run in every subnet of theirs). */
  readonly subnetNames: (tier: NonNullable<FunctionSpec['vpc']>['subnetTier']) => readonly string[];
  /** Kubernetes name of the app security group (functions in the VPC). @default none: no function runs in the VPC */
  readonly securityGroupName?: string;
  /** Kubernetes name of the environment's kms Key. */
  readonly kmsKeyName: string;
  /** Names of the functions an API route targets: each gets the `live` alias the API invokes. @default none */
  readonly invokedByApi?: ReadonlySet<string>;
  /** The id of the API (HTTP Api `status.apiID`, RestApi `status.id`). Required when invokedByApi is not empty. @default none */
  readonly apiSource?: LateValue;
}

/** The Lambda functions of one environment. */
export class Functions extends Construct {
  /** Kubernetes name of the Function `name`. */
  static resourceName(ctx: EnvironmentContext, name: string): string {
    return LambdaFunction.resourceName(ctx, name);
  }

  /** Lambda name of the function `name`: `<project>-<name>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, name: string): string {
    return LambdaFunction.awsName(ctx, name);
  }

  /** Kubernetes name of the `live` Alias of the function `name`: the API's integrations bind to its ARN. */
  static aliasResourceName(ctx: EnvironmentContext, name: string): string {
    return LambdaFunction.aliasResourceName(ctx, name);
  }

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { ctx, invokedByApi = new Set<string>() } = props;
    props.specs.forEach((fn, index) => {
      const invoked = invokedByApi.has(fn.name);
      if (invoked && !props.apiSource) throw new Error(`spec.functions[${fn.name}]: an API route targets it, but no API id source was given`);
      new LambdaFunction(this, fn.name, {
        ctx,
        spec: fn,
        index,
        ...(fn.vpc ? { subnetNames: props.subnetNames(fn.vpc.subnetTier), securityGroupName: props.securityGroupName } : {}),
        kmsKeyName: props.kmsKeyName,
        ...(invoked ? { apiSource: props.apiSource } : {}),
      });
    });
  }
}
