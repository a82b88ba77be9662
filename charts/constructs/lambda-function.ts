/**
 * One Lambda function of `spec.functions`: the Function, its log group `/aws/lambda/<Lambda name>`, its derived role
 * (function-grants.ts), and, when an API route targets it, its alias `live` carrying the API's invoke permission.
 *
 * The pinned Function CRD has no `permissions`; the Alias CRD has. The alias points at `$LATEST`, so it always runs
 * the current code, and the API invokes the alias's ARN. Its permission's source ARN
 * (`arn:<partition>:execute-api:<region>:<account>:<api id>/*`) holds two values only AWS knows, both read from the
 * API object: two late bindings on the same path, joined with `:` (bindings.ts `join`), the account's template
 * carrying the prefix and the API id's the suffix. The alias is held back until both are known.
 *
 * Late bindings of the Function, all required (a function started without its layers, its image or a variable is
 * worse than one started a little later): the image URI of the environment's repository, the version ARN of each layer
 * (`/spec/layers/<i>`, in the spec's order, which is the order Lambda stacks them in), and environment variables only
 * AWS knows (`/spec/environment/variables/<NAME>`, environment-values.ts).
 *
 * Not rendered: `functionEventInvokeConfig` (the controller panics on every read without a `destinationConfig`).
 */
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../api/index.js';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import * as ecr from '../../imports/ecr.services.k8s.aws.js';
import * as lambda from '../../imports/lambda.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { knownOutput, outputSource } from './environment-values.js';
import { functionGrants } from './function-grants.js';
import { FunctionLayers } from './function-layers.js';
import { ACCOUNT, ARN } from './iam-grants.js';
import { DerivedRole, partition, type LateValue } from './iam.js';
import { logGroupEncryption } from './kms-key.js';
import { Registry } from './registry.js';

/** Trust principal of the functions' roles. */
export const LAMBDA_PRINCIPAL = 'lambda.amazonaws.com';
/** Name of the alias the API invokes. */
export const LIVE_ALIAS = 'live';
/** Statement id of the API's invoke permission on the alias. */
export const API_INVOKE_STATEMENT = 'apigateway-invoke';

/** Props of {@link LambdaFunction}. */
export interface LambdaFunctionProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** The `spec.functions` entry, defaulted. */
  readonly spec: FunctionSpec;
  /** Its place in `spec.functions` (its place in the outputs). */
  readonly index: number;
  /** Kubernetes names of the subnets of `spec.vpc.subnetTier`. @default none: only used with spec.vpc */
  readonly subnetNames?: readonly string[];
  /** Kubernetes name of the app security group. @default none: only used with spec.vpc */
  readonly securityGroupName?: string;
  /** Kubernetes name of the environment's kms Key (tables and buckets encrypted with it). */
  readonly kmsKeyName: string;
  /** The id of the API that invokes the function (HTTP Api `status.apiID`, RestApi `status.id`). @default none: no alias */
  readonly apiSource?: LateValue;
}

/** A Lambda function with its log group, role and, when an API invokes it, its `live` alias. */
export class LambdaFunction extends Construct {
  /** Kubernetes name of the Function `name`. */
  static resourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('function', name);
  }

  /** Lambda name of the function `name`: `<project>-<name>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.aws(name);
  }

  /** Kubernetes name of the `live` Alias of the function `name` (the API's integrations invoke its ARN). */
  static aliasResourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('function', name, LIVE_ALIAS);
  }

  /** Kubernetes name of the LogGroup of the function `name`. */
  static logGroupResourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('function', name, 'logs');
  }

  /** CloudWatch Logs name of the log group of the function `name`: where Lambda writes by default, made explicit. */
  static logGroupAwsName(ctx: EnvironmentContext, name: string): string {
    return `/aws/lambda/${LambdaFunction.awsName(ctx, name)}`;
  }

  private readonly ctx: EnvironmentContext;
  private readonly bindings: Binding[] = [];

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    const { ctx, spec: fn } = props;
    this.ctx = ctx;
    const { names } = ctx;
    const awsName = LambdaFunction.awsName(ctx, fn.name);
    const resourceName = LambdaFunction.resourceName(ctx, fn.name);
    const tags = Object.fromEntries(names.tags(awsName).map(({ key, value }) => [key, value]));
    const logGroupAwsName = LambdaFunction.logGroupAwsName(ctx, fn.name);
    const logGroupResourceName = LambdaFunction.logGroupResourceName(ctx, fn.name);

    new cloudwatchlogs.LogGroup(this, 'logs', {
      metadata: ctx.metadata('functions', logGroupResourceName),
      spec: { name: logGroupAwsName, retentionDays: fn.logRetentionDays, ...logGroupEncryption(ctx), tags: Object.fromEntries(names.tags(logGroupAwsName).map(({ key, value }) => [key, value])) },
    });
    const role = new DerivedRole(this, 'role', {
      ctx,
      name: `fn-${fn.name}`,
      service: LAMBDA_PRINCIPAL,
      description: `Lambda function ${fn.name}`,
      grants: functionGrants(ctx, fn, { kmsKeyName: props.kmsKeyName, logGroupAwsName, logGroupResourceName }),
      component: 'functions',
    });

    const code = this.code(fn);
    fn.layers.forEach((layer, i) => this.bind(`/spec/layers/${i}`, { from: { ...lambda.LayerVersion.GVK, name: FunctionLayers.resourceName(ctx, layer) }, fieldPath: ARN }));
    const variables = this.variables(fn);
    new lambda.Function(this, 'function', {
      metadata: ctx.metadata('functions', resourceName, {
        bindings: this.bindings,
        outputs: [
          { output: `/functions/${props.index}/name`, value: fn.name },
          { output: `/functions/${props.index}/functionName`, value: awsName },
          { output: `/functions/${props.index}/arn`, fieldPath: ARN },
        ],
      }),
      spec: {
        name: awsName,
        packageType: fn.code.image ? 'Image' : 'Zip',
        ...(fn.runtime ? { runtime: fn.runtime } : {}),
        ...(fn.handler ? { handler: fn.handler } : {}),
        code,
        memorySize: fn.memoryMB,
        timeout: fn.timeoutSeconds,
        architectures: [fn.architecture],
        roleRef: ctx.ref(role.resourceName),
        // The layer ARNs are set by their bindings, index by index, into this list.
        ...(fn.layers.length > 0 ? { layers: [] } : {}),
        ...(fn.environment.length > 0 ? { environment: { variables } } : {}),
        ...(fn.vpc ? { vpcConfig: this.vpcConfig(props) } : {}),
        ...(fn.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: fn.reservedConcurrency } : {}),
        loggingConfig: { logGroup: logGroupAwsName, logFormat: 'Text' },
        tags,
      },
    });
    if (props.apiSource) this.alias(fn, props.apiSource);
  }

  private bind(path: string, source: LateValue, template?: string): void {
    this.bindings.push({ path, ...source, ...(template ? { template } : {}), required: true });
  }

  /** The code: an object of an environment bucket (by reference), or an image of the environment repository (a binding). */
  private code(fn: FunctionSpec): lambda.FunctionSpecCode {
    const { s3, image } = fn.code;
    if (s3) {
      return { s3BucketRef: this.ctx.ref(this.ctx.names.bucket(s3.bucket)), s3Key: s3.key, ...(s3.objectVersion ? { s3ObjectVersion: s3.objectVersion } : {}) };
    }
    if (!image) throw new Error(`spec.functions[${fn.name}]: code needs s3 or image`);
    this.bind('/spec/code/imageURI', { from: { ...ecr.Repository.GVK, name: Registry.resourceName(this.ctx) }, fieldPath: 'status.repositoryURI' }, `${VALUE_PLACEHOLDER}:${image.tag}`);
    return {};
  }

  /** Variables known when rendering, in name order; the others are bindings into the same map. */
  private variables(fn: FunctionSpec): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const e of [...fn.environment].sort((a, b) => a.name.localeCompare(b.name))) {
      const known = e.value ?? knownOutput(this.ctx, e);
      if (known !== undefined) variables[e.name] = known;
      else this.bind(`/spec/environment/variables/${e.name}`, outputSource(this.ctx, e, { where: `spec.functions[${fn.name}].environment` }));
    }
    return variables;
  }

  private vpcConfig(props: LambdaFunctionProps): lambda.FunctionSpecVpcConfig {
    const { ctx, spec: fn, subnetNames = [], securityGroupName } = props;
    if (subnetNames.length === 0 || !securityGroupName) throw new Error(`spec.functions[${fn.name}]: vpc needs subnets of its tier and spec.securityGroups.app`);
    return { subnetRefs: subnetNames.map((s) => ctx.ref(s)), securityGroupRefs: [ctx.ref(securityGroupName)] };
  }

  /** The `live` alias with the permission letting the API (and only it) invoke the function. */
  private alias(fn: FunctionSpec, api: LateValue): void {
    const { ctx } = this;
    const { region } = ctx.spec;
    const sourceArn = '/spec/permissions/0/sourceARN';
    // `arn:<partition>:execute-api:<region>:<account>` + `:` + `<api id>/*`: any stage, method and path of this API.
    const bindings: Binding[] = [
      { path: sourceArn, from: api.from, fieldPath: ACCOUNT, template: `arn:${partition(region)}:execute-api:${region}:${VALUE_PLACEHOLDER}`, required: true, join: ':' },
      { path: sourceArn, ...api, template: `${VALUE_PLACEHOLDER}/*`, required: true, join: ':' },
    ];
    new lambda.Alias(this, 'alias', {
      metadata: ctx.metadata('functions', LambdaFunction.aliasResourceName(ctx, fn.name), { bindings }),
      spec: {
        name: LIVE_ALIAS,
        functionRef: ctx.ref(LambdaFunction.resourceName(ctx, fn.name)),
        functionVersion: '$LATEST',
        // Never empty: the controller tells an empty description from none, which Lambda may report instead.
        description: 'invoked by the API',
        permissions: [{ statementId: API_INVOKE_STATEMENT, action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com' }],
      },
    });
  }
}
