/**
 * Function layers: one Lambda LayerVersion per `spec.layers` entry, from a .zip archive in one of the environment's
 * buckets. The LayerVersion CRD has no bucket reference, so the archive's bucket is named by its S3 name, which the
 * chart knows.
 *
 * ACK publishes a new layer version for every change it sees (PublishLayerVersion is both create and update), and
 * deletes the older versions when the object is deleted. The functions name a layer by its version ARN
 * (`status.ackResourceMetadata.arn`; `status.layerARN` is the unversioned ARN, which Lambda refuses in a function's
 * layers), through late bindings that follow each new version. The description is never empty: the controller tells
 * an empty description from none, which Lambda may report instead, and every difference it sees publishes a version.
 */
import { Construct } from 'constructs';
import type { LayerSpec } from '../../api/index.js';
import * as lambda from '../../imports/lambda.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link FunctionLayers}. */
export interface FunctionLayersProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.layers`, defaulted. */
  readonly specs: readonly LayerSpec[];
}

/** The Lambda layers of one environment. */
export class FunctionLayers extends Construct {
  /** Kubernetes name of the LayerVersion `name` (the functions' layer bindings read its ARN). */
  static resourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('layer', name);
  }

  /** Lambda name of the layer `name`: `<project>-<name>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.aws(name);
  }

  constructor(scope: Construct, id: string, props: FunctionLayersProps) {
    super(scope, id);
    const { ctx } = props;
    const { names } = ctx;
    for (const layer of props.specs) {
      new lambda.LayerVersion(this, layer.name, {
        metadata: ctx.metadata('functions', FunctionLayers.resourceName(ctx, layer.name)),
        spec: {
          layerName: FunctionLayers.awsName(ctx, layer.name),
          description: layer.description || `${names.aws()}: layer ${layer.name}`,
          content: { s3Bucket: names.bucketAwsName(layer.code.bucket), s3Key: layer.code.key },
          compatibleRuntimes: [...layer.compatibleRuntimes],
          ...(layer.compatibleArchitectures.length > 0 ? { compatibleArchitectures: [...layer.compatibleArchitectures] } : {}),
        },
      });
    }
  }
}
