/**
 * CDN: a CloudFront Distribution over the environment's S3 buckets, read through one Origin Access Control.
 * HTTPS with the default *.cloudfront.net certificate; the AWS managed CachingOptimized cache policy.
 *
 * CloudFront has no reference fields for these, so they come through late bindings (bindings.ts), all required:
 * - every origin's `originAccessControlID` ← the OriginAccessControl's `status.id`;
 * - `webACLID` ← the CLOUDFRONT-scope WebACL's ARN, when the environment has one.
 * The S3 origin domain is computed (`<bucket>.s3.<region>.amazonaws.com`): a Bucket has no domain in its status.
 * The bucket policies granting this Distribution read access are rendered by Storage (storage.ts).
 */
import { Construct } from 'constructs';
import type { CdnSpec } from '../../api/index.js';
import * as cloudfront from '../../imports/cloudfront.services.k8s.aws.js';
import * as wafv2 from '../../imports/wafv2.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link Cdn}. */
export interface CdnProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.cdn`. */
  readonly spec: CdnSpec;
  /** Kubernetes name of the CLOUDFRONT-scope WebACL protecting the distribution. @default none */
  readonly webAclName?: string;
}

/** AWS managed cache policy "Managed-CachingOptimized". */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

const READ_METHODS = ['GET', 'HEAD'];

/** The CloudFront distribution of an environment and its Origin Access Control. */
export class Cdn extends Construct {
  /** The distribution answers over IPv6 too, so alias records to it are A and AAAA records (dns.ts). */
  static readonly ipv6Enabled: boolean = true;

  /** Kubernetes name of the OriginAccessControl of the environment of `ctx`. */
  static originAccessControlName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('oac');
  }

  /** Id of the origin serving the bucket with short name `bucket`. */
  static originId(bucket: string): string {
    return `s3-${bucket}`;
  }

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    const oacName = Cdn.originAccessControlName(ctx);
    new cloudfront.OriginAccessControl(this, 'oac', {
      metadata: ctx.metadata('cdn', oacName),
      spec: {
        originAccessControlConfig: {
          name: names.aws('oac'),
          description: `${names.aws()}: CloudFront access to the S3 origins`,
          originAccessControlOriginType: 's3',
          signingBehavior: 'always',
          signingProtocol: 'sigv4',
        },
      },
    });

    // One origin per distinct bucket: the origin bucket first, then behaviour buckets in order.
    const buckets = [...new Set([spec.originBucket, ...spec.behaviors.map((b) => b.bucket)])];
    const origins: cloudfront.DistributionSpecDistributionConfigOriginsItems[] = buckets.map((bucket) => ({
      id: Cdn.originId(bucket),
      domainName: `${names.bucketAwsName(bucket)}.s3.${ctx.spec.region}.amazonaws.com`,
      s3OriginConfig: { originAccessIdentity: '' },
    }));
    const bindings: Binding[] = buckets.map((_, i) => ({
      path: `/spec/distributionConfig/origins/items/${i}/originAccessControlID`,
      from: { ...cloudfront.OriginAccessControl.GVK, name: oacName },
      fieldPath: 'status.id',
      required: true,
    }));
    if (props.webAclName) {
      bindings.push({
        path: '/spec/distributionConfig/webACLID',
        from: { ...wafv2.WebAcl.GVK, name: props.webAclName },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: true,
      });
    }

    const behavior = (bucket: string): cloudfront.DistributionSpecDistributionConfigDefaultCacheBehavior => ({
      targetOriginId: Cdn.originId(bucket),
      viewerProtocolPolicy: spec.viewerProtocolPolicy,
      allowedMethods: { items: [...READ_METHODS], cachedMethods: { items: [...READ_METHODS] } },
      cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
      compress: true,
    });
    const cacheBehaviors = spec.behaviors.map((b) => ({ pathPattern: b.pathPattern, ...behavior(b.bucket) }));

    new cloudfront.Distribution(this, 'distribution', {
      metadata: ctx.metadata('cdn', names.distribution(), {
        bindings,
        outputs: [
          { output: '/cdn/domainName', fieldPath: 'status.domainName' },
          { output: '/cdn/distributionID', fieldPath: 'status.id' },
        ],
      }),
      spec: {
        distributionConfig: {
          comment: `${names.aws()}: ${spec.originBucket} bucket`,
          enabled: true,
          defaultRootObject: spec.defaultRootObject,
          priceClass: spec.priceClass,
          httpVersion: 'http2and3',
          isIpv6Enabled: Cdn.ipv6Enabled,
          origins: { items: origins },
          defaultCacheBehavior: behavior(spec.originBucket),
          ...(cacheBehaviors.length > 0 ? { cacheBehaviors: { items: cacheBehaviors } } : {}),
          viewerCertificate: { cloudFrontDefaultCertificate: true },
          ...(spec.logging
            ? { logging: { enabled: true, bucket: `${names.bucketAwsName(spec.logging.bucket)}.s3.amazonaws.com`, prefix: spec.logging.prefix, includeCookies: false } }
            : {}),
        },
        tags: names.tags(names.aws('cdn')),
      },
    });
  }
}
