/** Edge section of the MarketplaceEnvironment spec: S3 buckets, the CloudFront CDN and the WAF web ACL. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum } from './schema-kit.js';

/** What a bucket is for; decides ownership and ACL settings (logs buckets accept CloudFront log delivery). */
export const BUCKET_PURPOSES = ['assets', 'files', 'logs'] as const;
/** Server-side encryption of a bucket. */
export const BUCKET_ENCRYPTION = ['SSE-S3', 'KMS'] as const;

const BUCKET_KEY = { pattern: '^[a-z][a-z0-9-]{0,13}[a-z0-9]$', maxLength: 15 };

/** Schema of one entry of `spec.storage.buckets`. */
export const BucketSchema = Obj(
  {
    name: Type.String({ ...BUCKET_KEY, description: 'Short name, unique in the environment; the S3 name is <project>-<name>-<environmentSuffix>.' }),
    purpose: StringEnum(BUCKET_PURPOSES, { description: 'assets (CDN origin), files (application files) or logs (access logs; accepts CloudFront log delivery).' }),
    versioning: Type.Boolean({ description: 'Keep every version of every object.', default: false }),
    expirationDays: Type.Optional(Type.Integer({ description: 'Delete current objects this many days after creation.', minimum: 1, maximum: 36500 })),
    noncurrentVersionExpirationDays: Type.Optional(Type.Integer({ description: 'Delete non-current versions this many days after they become non-current. Needs versioning.', minimum: 1, maximum: 36500 })),
    encryption: StringEnum(BUCKET_ENCRYPTION, { description: 'SSE-S3 (S3-managed keys) or KMS (the environment KMS key). Public access is always blocked.', default: 'SSE-S3' }),
  },
  {
    description: 'An S3 bucket.',
    'x-kubernetes-validations': [
      { rule: '!has(self.noncurrentVersionExpirationDays) || self.versioning', message: 'noncurrentVersionExpirationDays needs versioning: true', fieldPath: '.noncurrentVersionExpirationDays' },
    ],
  },
);

/** Schema of `spec.storage`. */
export const StorageSchema = Obj(
  {
    buckets: Type.Array(BucketSchema, {
      description: 'Buckets by purpose.',
      minItems: 1,
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  },
  { description: 'Object storage. Omit for none.' },
);

/** Viewer protocol policies CloudFront accepts that never serve plain HTTP content. */
export const VIEWER_PROTOCOLS = ['redirect-to-https', 'https-only'] as const;
/** CloudFront price classes. */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** Schema of `spec.cdn`. */
export const CdnSchema = Obj(
  {
    originBucket: Type.String({ ...BUCKET_KEY, description: 'Name of the assets bucket (spec.storage.buckets) served by default, through Origin Access Control.' }),
    behaviors: Type.Array(
      Obj(
        {
          pathPattern: Type.String({ description: 'Path pattern, e.g. /solutions/*.', pattern: '^/?[A-Za-z0-9_.*/~-]+$', maxLength: 255 }),
          bucket: Type.String({ ...BUCKET_KEY, description: 'Name of the bucket (spec.storage.buckets) serving this path.' }),
        },
        { description: 'A path served from another bucket.' },
      ),
      { description: 'Extra path behaviours to other buckets, in precedence order.', default: [], maxItems: 10 },
    ),
    viewerProtocolPolicy: StringEnum(VIEWER_PROTOCOLS, { description: 'HTTPS only for viewers: redirect-to-https or https-only.', default: 'redirect-to-https' }),
    priceClass: StringEnum(PRICE_CLASSES, { description: 'Edge locations used (cost vs. reach).', default: 'PriceClass_100' }),
    defaultRootObject: Type.String({ description: 'Object returned for the root URL.', maxLength: 255, default: 'index.html' }),
    logging: Type.Optional(
      Obj(
        {
          bucket: Type.String({ ...BUCKET_KEY, description: 'Name of a logs bucket (spec.storage.buckets, purpose logs).' }),
          prefix: Type.String({ description: 'Key prefix of the log files.', maxLength: 128, default: 'cloudfront/' }),
        },
        { description: 'CloudFront standard access logging.' },
      ),
    ),
  },
  { description: 'CloudFront distribution over the assets bucket. Omit for none.' },
);

/** WAF scope: REGIONAL protects a load balancer, CLOUDFRONT protects the distribution (created in us-east-1). */
export const WAF_SCOPES = ['REGIONAL', 'CLOUDFRONT'] as const;

/** Schema of `spec.firewall`. */
export const FirewallSchema = Obj(
  {
    scope: StringEnum(WAF_SCOPES, { description: 'REGIONAL (for the load balancer) or CLOUDFRONT (for the CDN; needs spec.cdn).', default: 'REGIONAL' }),
    rateLimit: Type.Integer({ description: 'Requests one client IP may send per evaluation window before being blocked (AWS range 10 to 2,000,000,000).', minimum: 10, maximum: 2000000000, default: 2000 }),
    rateLimitWindowSeconds: Type.Integer({ description: 'Rate-limit evaluation window: 60, 120, 300 or 600 seconds.', enum: [60, 120, 300, 600], default: 300 }),
    managedRuleGroups: Type.Array(
      Type.String({ description: 'AWS managed rule group name.', pattern: '^AWSManagedRules[A-Za-z0-9]+$', maxLength: 64 }),
      {
        description: 'AWS managed rule groups, evaluated after the rate limit.',
        default: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'],
        maxItems: 10,
        uniqueItems: true,
        'x-kubernetes-list-type': 'set',
      },
    ),
  },
  { description: 'WAFv2 web ACL with a per-IP rate limit and AWS managed rules. Omit for none.' },
);

/** `spec.storage` as TypeScript. */
export type StorageSpec = Static<typeof StorageSchema>;
/** One bucket of `spec.storage.buckets`. */
export type BucketSpec = Static<typeof BucketSchema>;
/** `spec.cdn` as TypeScript. */
export type CdnSpec = Static<typeof CdnSchema>;
/** `spec.firewall` as TypeScript. */
export type FirewallSpec = Static<typeof FirewallSchema>;
