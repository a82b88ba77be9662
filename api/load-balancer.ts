/** Load-balancer section of the MarketplaceEnvironment spec: the Application Load Balancer, its listeners and target group. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum } from './schema-kit.js';

/** internet-facing (public IPs, reachable from the internet) or internal (private IPs only). */
export const LB_SCHEMES = ['internet-facing', 'internal'] as const;
/** Subnet tiers a load balancer may live in. */
export const LB_SUBNET_TIERS = ['public', 'private'] as const;
/** TLS policy of the HTTPS listener unless the spec names another: TLS 1.3 and 1.2 with forward-secret ciphers. */
export const DEFAULT_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

const PORT = { minimum: 1, maximum: 65535 };
// A wildcard label only in front; labels of letters, digits and hyphens; a top-level domain of letters.
const DOMAIN_NAME = { pattern: '^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$', maxLength: 253 };

const CertificateSchema = Obj(
  {
    arn: Type.Optional(
      Type.String({
        description: 'ARN of an existing ACM certificate in spec.region. Exclusive with domainName.',
        pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]{1,64}$',
        maxLength: 160,
      }),
    ),
    domainName: Type.Optional(
      Type.String({
        ...DOMAIN_NAME,
        description: 'Domain the environment requests an ACM certificate for (e.g. shop.example.com or *.example.com), validated through DNS: the certificate stays pending, and the HTTPS listener waits, until the validation CNAME records exist in the domain. Exclusive with arn.',
      }),
    ),
    subjectAlternativeNames: Type.Optional(
      Type.Array(Type.String({ ...DOMAIN_NAME, description: 'Additional domain name.' }), {
        description: 'Further names on the requested certificate (domainName only). At most 9: ACM\'s default quota is 10 names per certificate, domainName included.',
        maxItems: 9,
        uniqueItems: true,
        'x-kubernetes-list-type': 'set',
      }),
    ),
  },
  {
    description: 'Certificate of the HTTPS listener: an existing one (arn) or one the environment requests from ACM (domainName).',
    'x-kubernetes-validations': [
      { rule: 'has(self.arn) != has(self.domainName)', message: 'set exactly one of certificate.arn and certificate.domainName', fieldPath: '.arn' },
      { rule: '!has(self.subjectAlternativeNames) || has(self.domainName)', message: 'subjectAlternativeNames apply to a requested certificate only (set domainName, not arn)', fieldPath: '.subjectAlternativeNames' },
    ],
  },
);

const ListenersSchema = Obj(
  {
    http: Type.Optional(
      Obj(
        {
          port: Type.Integer({ ...PORT, description: 'Port of the HTTP listener.', default: 80 }),
          redirectToHttps: Type.Optional(
            Type.Boolean({
              description: 'true: answer every HTTP request with a permanent redirect (301) to the HTTPS listener; false: forward HTTP to the target group like HTTPS. Default (unset): true when listeners.https is set, false otherwise. true needs listeners.https.',
            }),
          ),
        },
        { description: 'Plain-HTTP listener.' },
      ),
    ),
    https: Type.Optional(
      Obj(
        {
          port: Type.Integer({ ...PORT, description: 'Port of the HTTPS listener.', default: 443 }),
          sslPolicy: Type.String({
            description: `ELB security policy (TLS versions and ciphers) of the listener. Default ${DEFAULT_TLS_POLICY} (TLS 1.3 and 1.2).`,
            pattern: '^ELBSecurityPolicy-[A-Za-z0-9-]{1,100}$',
            maxLength: 128,
            default: DEFAULT_TLS_POLICY,
          }),
          certificate: CertificateSchema,
        },
        { description: 'HTTPS listener terminating TLS with certificate and forwarding to the target group.' },
      ),
    ),
  },
  {
    description: 'Listeners: http, https or both. Every listener port must be open in spec.securityGroups.loadBalancer.ports.',
    'x-kubernetes-validations': [
      { rule: 'has(self.http) || has(self.https)', message: 'listeners needs http, https or both', fieldPath: '.http', reason: 'FieldValueRequired' },
      { rule: '!has(self.http) || !has(self.http.redirectToHttps) || !self.http.redirectToHttps || has(self.https)', message: 'http.redirectToHttps needs an https listener', fieldPath: '.http.redirectToHttps' },
      { rule: '!has(self.http) || !has(self.https) || self.http.port != self.https.port', message: 'http.port and https.port must differ', fieldPath: '.https.port' },
    ],
  },
);

const HealthCheckSchema = Obj(
  {
    path: Type.String({ description: 'Path requested by the health check.', pattern: '^/[\\x21-\\x7e]*$', maxLength: 1024, default: '/' }),
    port: Type.String({
      description: 'Port of the health check: traffic-port (the port the targets receive traffic on, spec.securityGroups.app.port) or a port number.',
      pattern: '^(traffic-port|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$',
      maxLength: 12,
      default: 'traffic-port',
    }),
    healthyThreshold: Type.Integer({ description: 'Consecutive successes before an unhealthy target is healthy (2 to 10).', minimum: 2, maximum: 10, default: 5 }),
    unhealthyThreshold: Type.Integer({ description: 'Consecutive failures before a target is unhealthy (2 to 10).', minimum: 2, maximum: 10, default: 2 }),
    intervalSeconds: Type.Integer({ description: 'Seconds between two checks of a target (5 to 300).', minimum: 5, maximum: 300, default: 30 }),
    timeoutSeconds: Type.Integer({ description: 'Seconds without a response that fail a check (2 to 120, less than intervalSeconds).', minimum: 2, maximum: 120, default: 5 }),
    matcher: Type.String({
      description: 'HTTP codes of a healthy response, between 200 and 499: a code, a list (200,202) or a range (200-299).',
      pattern: '^[2-4][0-9]{2}(-[2-4][0-9]{2})?(,[2-4][0-9]{2}(-[2-4][0-9]{2})?)*$',
      maxLength: 64,
      default: '200',
    }),
  },
  {
    description: 'HTTP health check of the targets.',
    default: {},
    // The guards are for the API server, which checks the rule against `default: {}` before filling in its fields.
    'x-kubernetes-validations': [
      { rule: '!has(self.timeoutSeconds) || !has(self.intervalSeconds) || self.timeoutSeconds < self.intervalSeconds', message: 'timeoutSeconds must be less than intervalSeconds', fieldPath: '.timeoutSeconds' },
    ],
  },
);

/** Name of a bucket of spec.storage.buckets (the same key as edge.ts's bucket names). */
const BUCKET_KEY = { pattern: '^[a-z][a-z0-9-]{0,13}[a-z0-9]$', maxLength: 15 };

const AccessLogsSchema = Obj(
  {
    bucket: Type.String({
      ...BUCKET_KEY,
      description: 'Name of a bucket of spec.storage.buckets with purpose logs and SSE-S3 encryption (ELB access logs support no other server-side encryption), not served by the CDN. Its policy then lets Elastic Load Balancing write under <prefix>/AWSLogs/<account id>/.',
    }),
    prefix: Type.Optional(
      Type.String({
        description: 'Key prefix of the log files (no leading or trailing slash, without AWSLogs, which ELB appends). Default: none, the files start at AWSLogs/. Removing a prefix later leaves the old one in place: the controller only ever sets load balancer attributes.',
        pattern: '^[A-Za-z0-9!_.*\'()-]+(/[A-Za-z0-9!_.*\'()-]+)*$',
        maxLength: 200,
      }),
    ),
  },
  {
    description: 'Access logs of the load balancer, delivered every 5 minutes to a logs bucket of the environment. Omit for none (logging is then switched off).',
    'x-kubernetes-validations': [
      { rule: "!has(self.prefix) || !self.prefix.contains('AWSLogs')", message: 'accessLogs.prefix must not contain AWSLogs (ELB appends AWSLogs/<account id>/ itself)', fieldPath: '.prefix' },
    ],
  },
);

/** Schema of `spec.loadBalancer`. */
export const LoadBalancerSchema = Obj(
  {
    scheme: StringEnum(LB_SCHEMES, { description: 'internet-facing (default; needs subnetTier public) or internal (reachable from inside the VPC only).', default: 'internet-facing' }),
    subnetTier: StringEnum(LB_SUBNET_TIERS, {
      description: 'Subnet tier the load balancer lives in, in every availability zone (an ALB needs two zones): public (default; routed to the internet gateway) or private (internal load balancers only). That tier must have subnets.',
      default: 'public',
    }),
    listeners: ListenersSchema,
    targetGroup: Obj(
      {
        healthCheck: HealthCheckSchema,
        deregistrationDelaySeconds: Type.Integer({ description: 'Seconds a deregistering target keeps serving in-flight requests (0 to 3600).', minimum: 0, maximum: 3600, default: 300 }),
      },
      {
        description: 'Target group(s) the listeners forward to: HTTP to spec.securityGroups.app.port of the compute\'s tasks or instances. With compute.containers.blueGreen there are two (blue and green), both with these settings.',
        default: {},
      },
    ),
    idleTimeoutSeconds: Type.Integer({ description: 'Seconds a connection may stay idle before the load balancer closes it (1 to 4000).', minimum: 1, maximum: 4000, default: 60 }),
    deletionProtection: Type.Boolean({
      description: 'AWS deletion protection. The load balancer holds no data, so the default is false; while true, deleting the environment cannot delete it.',
      default: false,
    }),
    accessLogs: Type.Optional(AccessLogsSchema),
  },
  {
    description: 'Application Load Balancer in front of spec.compute, with the load-balancer security group (spec.securityGroups.loadBalancer). Omit for none.',
    'x-kubernetes-validations': [
      { rule: "self.scheme == 'internal' || self.subnetTier == 'public'", message: 'an internet-facing load balancer needs subnetTier public', fieldPath: '.subnetTier' },
    ],
  },
);

/** `spec.loadBalancer` as TypeScript. */
export type LoadBalancerSpec = Static<typeof LoadBalancerSchema>;
/** `spec.loadBalancer.accessLogs` as TypeScript. */
export type AccessLogsSpec = Static<typeof AccessLogsSchema>;
/** `spec.loadBalancer.listeners` as TypeScript. */
export type ListenersSpec = Static<typeof ListenersSchema>;

/** Whether the HTTP listener redirects to HTTPS: `redirectToHttps`, or by default whenever there is an HTTPS listener. */
export function httpRedirectsToHttps(listeners: ListenersSpec): boolean {
  return listeners.http?.redirectToHttps ?? listeners.https !== undefined;
}
