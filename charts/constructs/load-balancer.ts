/**
 * The traffic path of the application tier: an Application Load Balancer in one subnet per availability zone of its
 * tier (an ALB takes at most one subnet per zone), with the load-balancer security group; one target group sending
 * HTTP to `securityGroups.app.port` (two, blue and green, with `compute.containers.blueGreen`); an HTTP listener that
 * forwards or redirects to HTTPS, and an HTTPS listener that forwards. With blue/green every forwarding listener
 * splits requests between the two target groups by the spec's weights, so changing the weights changes only the
 * weights of the rendered listeners. No listener Rule is rendered: the default action does all of this.
 *
 * What the elbv2-controller needs to converge (docs/ack-facts.md, "Load balancers, listeners and target groups"):
 * - `enablePrefixForIPv6SourceNAT: "off"` on the load balancer (harmless on AWS; moto never reports the field);
 * - every field ELB reports back is rendered as ELB reports it, because the controller compares a listener's default
 *   actions as a whole, including `order` and the forward config ELB fills in;
 * - the listeners name their target groups by ARN through late bindings, not `targetGroupRef`: the controller
 *   rebuilds the default actions from ELB's answer without the references, so a referenced action never compares
 *   equal and is updated on every reconcile. The HTTPS listener's certificate has no reference field at all;
 * - target groups ask the controller to leave their targets alone (`ignore-field-drift: spec.targets`): ECS and EC2
 *   Auto Scaling register the targets, and a controller that honours the annotation does not deregister them.
 *
 * The REGIONAL web ACL is associated by the operator (aws-gaps.ts): the load balancer always declares its web ACL,
 * none when the environment has no REGIONAL firewall, so dropping the firewall removes the association first.
 *
 * Access logs (spec.loadBalancer.accessLogs): the `access_logs.s3.*` attributes. ELB checks that it may write to the
 * bucket when logging is switched on and answers InvalidConfigurationRequest otherwise, which the controller treats
 * as terminal (no retry until the spec changes). So the load balancer starts with logging off and gets the logging
 * attributes through a late binding on the bucket's ARN, which ACK reports once it has created the bucket; the bucket
 * is only ever applied with its final policy, the log-delivery grant included (storage.ts). This orders logging after
 * the bucket's creation; it is also after the policy when the s3-controller puts a new bucket's settings in the call
 * that creates it, and about a second short of it when the controller puts them in a second pass. A binding cannot
 * wait for a source's ACK.ResourceSynced, which would close that window. `access_logs.s3.enabled` is always rendered:
 * the controller compares attributes as a subset, so without it, removing accessLogs would leave logging on.
 */
import { Construct } from 'constructs';
import { httpRedirectsToHttps, type LoadBalancerSpec } from '../../api/index.js';
import * as acm from '../../imports/acm.services.k8s.aws.js';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws.js';
import * as s3 from '../../imports/s3.services.k8s.aws.js';
import * as wafv2 from '../../imports/wafv2.services.k8s.aws.js';
import { ARN_FIELD, arnOf, awsGapAnnotations } from '../aws-gaps.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';

/** ACK annotation: fields whose drift the controller ignores (runtime >= v0.62 with the IgnoreFieldDrift feature gate). */
export const IGNORE_FIELD_DRIFT_ANNOTATION = 'services.k8s.aws/ignore-field-drift';

/** Props of {@link LoadBalancer}. */
export interface LoadBalancerProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.loadBalancer`, defaulted. */
  readonly spec: LoadBalancerSpec;
  /** Kubernetes names of the subnets of `spec.subnetTier`, one per availability zone. */
  readonly subnetNames: readonly string[];
  /** Kubernetes name of the load-balancer tier's security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the VPC (the target groups live in it). */
  readonly vpcName: string;
  /** Kubernetes name of the ACM Certificate the environment requests (certificate.domainName). @default none */
  readonly certificateName?: string;
  /** Kubernetes name of the REGIONAL WebACL that protects the load balancer. @default none: no web ACL */
  readonly webAclName?: string;
}

/** Kubernetes names of the target groups: `blue` is the only one without blue/green (the same object). */
export interface TargetGroupNames {
  readonly blue: string;
  /** Only with `compute.containers.blueGreen`. */
  readonly green?: string;
}

/** The load balancer of an environment, its target groups and listeners. */
export class LoadBalancer extends Construct {
  /** Address family of the load balancer: IPv4 only, so alias records to it are A records, no AAAA (dns.ts). */
  static readonly ipAddressType: 'ipv4' | 'dualstack' = 'ipv4';

  /** Kubernetes name of the LoadBalancer (its `status.dnsName` is the load balancer's DNS name). */
  static loadBalancerName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('alb');
  }

  /**
   * Kubernetes names of the target groups. The single target group is the blue one, so that turning blue/green on
   * keeps it (and the targets registered in it) and only adds the green one.
   */
  static targetGroupNames(ctx: EnvironmentContext): TargetGroupNames {
    const blue = ctx.names.k8s('tg');
    return ctx.spec.compute?.containers?.blueGreen ? { blue, green: ctx.names.k8s('tg', 'green') } : { blue };
  }

  /**
   * AWS names (at most 32 characters, hence two-letter parts: <project> ≤ 16 + <suffix> ≤ 12 + 2 hyphens leaves 2):
   * the load balancer `<project>-lb-<suffix>`, the blue (or only) target group `<project>-tg-<suffix>`, the green one
   * `<project>-gr-<suffix>`.
   */
  static awsNames(ctx: EnvironmentContext): { loadBalancer: string; blue: string; green: string } {
    return { loadBalancer: ctx.names.aws('lb'), blue: ctx.names.aws('tg'), green: ctx.names.aws('gr') };
  }

  /** Kubernetes name of the LoadBalancer. */
  readonly name: string;
  /** Kubernetes names of the target groups, for the ECS services or the Auto Scaling group that register in them. */
  readonly targetGroupNames: TargetGroupNames;

  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, private readonly props: LoadBalancerProps) {
    super(scope, id);
    this.ctx = props.ctx;
    this.name = LoadBalancer.loadBalancerName(this.ctx);
    this.targetGroupNames = LoadBalancer.targetGroupNames(this.ctx);
    this.renderLoadBalancer();
    const aws = LoadBalancer.awsNames(this.ctx);
    this.renderTargetGroup('tg-blue', this.targetGroupNames.blue, aws.blue, '/loadBalancer/targetGroupARN');
    if (this.targetGroupNames.green) this.renderTargetGroup('tg-green', this.targetGroupNames.green, aws.green, '/loadBalancer/greenTargetGroupARN');
    this.renderListeners();
  }

  private renderLoadBalancer(): void {
    const { ctx, props } = this;
    const { names } = ctx;
    const { spec } = props;
    const awsName = LoadBalancer.awsNames(ctx).loadBalancer;
    const outputs: OutputDeclaration[] = [
      { output: '/loadBalancer/dnsName', fieldPath: 'status.dnsName' },
      { output: '/loadBalancer/canonicalHostedZoneID', fieldPath: 'status.canonicalHostedZoneID' },
      { output: '/loadBalancer/arn', fieldPath: ARN_FIELD },
    ];
    const association = awsGapAnnotations([
      {
        type: 'WebACLAssociation',
        name: names.k8s('alb', 'waf'),
        resourceARN: arnOf({ ...elbv2.LoadBalancer.GVK, name: this.name }),
        ...(props.webAclName ? { webACLARN: arnOf({ ...wafv2.WebAcl.GVK, name: props.webAclName }) } : {}),
      },
    ]);
    const attributes = [
      { key: 'idle_timeout.timeout_seconds', value: String(spec.idleTimeoutSeconds) },
      { key: 'deletion_protection.enabled', value: String(spec.deletionProtection) },
      { key: 'access_logs.s3.enabled', value: 'false' },
    ];
    new elbv2.LoadBalancer(this, 'load-balancer', {
      metadata: ctx.metadata('loadBalancer', this.name, { outputs, annotations: association, bindings: this.accessLogs(attributes) }),
      spec: {
        name: awsName,
        type: 'application',
        scheme: spec.scheme,
        ipAddressType: LoadBalancer.ipAddressType,
        enablePrefixForIPv6SourceNat: 'off',
        subnetRefs: props.subnetNames.map((name) => ctx.ref(name)),
        securityGroupRefs: [ctx.ref(props.securityGroupName)],
        attributes,
        tags: names.tags(awsName),
      },
    });
  }

  /**
   * With accessLogs: `attributes` with logging switched on, once the log bucket exists (see the module comment).
   * Not required: the load balancer does not wait for its logs, it is created with logging off.
   */
  private accessLogs(attributes: readonly elbv2.LoadBalancerSpecAttributes[]): Binding[] {
    const logs = this.props.spec.accessLogs;
    if (!logs) return [];
    const { names } = this.ctx;
    const logging = [
      { key: 'access_logs.s3.enabled', value: 'true' },
      { key: 'access_logs.s3.bucket', value: names.bucketAwsName(logs.bucket) },
      ...(logs.prefix ? [{ key: 'access_logs.s3.prefix', value: logs.prefix }] : []),
    ];
    return [{
      path: '/spec/attributes',
      from: { ...s3.Bucket.GVK, name: names.bucket(logs.bucket) },
      fieldPath: ARN_FIELD,
      template: JSON.stringify([...attributes.filter((a) => a.key !== 'access_logs.s3.enabled'), ...logging]),
      json: true,
      required: false,
    }];
  }

  private renderTargetGroup(id: string, name: string, awsName: string, output: string): void {
    const { ctx } = this;
    const { healthCheck, deregistrationDelaySeconds } = this.props.spec.targetGroup;
    new elbv2.TargetGroup(this, id, {
      metadata: ctx.metadata('loadBalancer', name, {
        outputs: [{ output, fieldPath: ARN_FIELD }],
        // Attributes only once the group exists in AWS: the elbv2 controller records no ARN for a group created with
        // attributes until its next resync (up to 10 h), and the listeners wait for that ARN (docs/ack-facts.md).
        bindings: [{
          path: '/spec/attributes',
          from: { ...elbv2.TargetGroup.GVK, name },
          fieldPath: ARN_FIELD,
          template: JSON.stringify([{ key: 'deregistration_delay.timeout_seconds', value: String(deregistrationDelaySeconds) }]),
          json: true,
          required: false,
        }],
        annotations: { [IGNORE_FIELD_DRIFT_ANNOTATION]: 'spec.targets' },
      }),
      spec: {
        name: awsName,
        // awsvpc tasks register by IP address, EC2 instances by instance id.
        targetType: ctx.spec.compute?.containers ? 'ip' : 'instance',
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: ctx.spec.securityGroups.app.port,
        ipAddressType: 'ipv4',
        vpcRef: ctx.ref(this.props.vpcName),
        healthCheckEnabled: true,
        healthCheckProtocol: 'HTTP',
        healthCheckPath: healthCheck.path,
        healthCheckPort: healthCheck.port,
        healthCheckIntervalSeconds: healthCheck.intervalSeconds,
        healthCheckTimeoutSeconds: healthCheck.timeoutSeconds,
        healthyThresholdCount: healthCheck.healthyThreshold,
        unhealthyThresholdCount: healthCheck.unhealthyThreshold,
        matcher: { httpCode: healthCheck.matcher },
        tags: ctx.names.tags(awsName),
      },
    });
  }

  private renderListeners(): void {
    const { listeners } = this.props.spec;
    const { http, https } = listeners;
    if (http) {
      const redirect = httpRedirectsToHttps(listeners) && https;
      const action = redirect ? { action: redirectTo(https.port), bindings: [] } : this.forward();
      this.renderListener('http', { port: http.port, protocol: 'HTTP' }, action.action, action.bindings);
    }
    if (https) {
      const { action, bindings } = this.forward();
      const { arn } = https.certificate;
      const certificate: Binding[] = arn ? [] : [{ path: '/spec/certificates/0/certificateARN', from: { ...acm.Certificate.GVK, name: this.requestedCertificate() }, fieldPath: ARN_FIELD, required: true }];
      this.renderListener(
        'https',
        { port: https.port, protocol: 'HTTPS', sslPolicy: https.sslPolicy, certificates: [arn ? { certificateArn: arn } : {}] },
        action,
        [...bindings, ...certificate],
        arn ? [{ output: '/loadBalancer/certificateARN', value: arn }] : [],
      );
    }
  }

  private renderListener(
    protocol: 'http' | 'https',
    settings: Pick<elbv2.ListenerSpec, 'port' | 'protocol' | 'sslPolicy' | 'certificates'>,
    action: elbv2.ListenerSpecDefaultActions,
    bindings: readonly Binding[],
    outputs: readonly OutputDeclaration[] = [],
  ): void {
    const { ctx } = this;
    new elbv2.Listener(this, `listener-${protocol}`, {
      metadata: ctx.metadata('loadBalancer', ctx.names.k8s('listener', protocol), { bindings, outputs }),
      spec: {
        loadBalancerRef: ctx.ref(this.name),
        ...settings,
        defaultActions: [action],
        tags: ctx.names.tags(),
      },
    });
  }

  /**
   * The forward action, in the form ELB reports it: one target group both as `targetGroupARN` and in the forward
   * config with weight 1; blue and green only in the forward config, with the spec's weights. The target group ARNs
   * are late bindings (see the module comment).
   */
  private forward(): { action: elbv2.ListenerSpecDefaultActions; bindings: Binding[] } {
    const { blue, green } = this.targetGroupNames;
    const blueGreen = this.ctx.spec.compute?.containers?.blueGreen;
    const groups = green && blueGreen ? [{ name: blue, weight: blueGreen.blueWeight }, { name: green, weight: blueGreen.greenWeight }] : [{ name: blue, weight: 1 }];
    const arnOfGroup = (path: string, name: string): Binding => ({ path, from: { ...elbv2.TargetGroup.GVK, name }, fieldPath: ARN_FIELD, required: true });
    const bindings = groups.map((g, i) => arnOfGroup(`/spec/defaultActions/0/forwardConfig/targetGroups/${i}/targetGroupARN`, g.name));
    if (groups.length === 1) bindings.unshift(arnOfGroup('/spec/defaultActions/0/targetGroupARN', blue));
    return {
      action: {
        order: 1,
        type: 'forward',
        forwardConfig: { targetGroups: groups.map((g) => ({ weight: g.weight })), targetGroupStickinessConfig: { enabled: false } },
      },
      bindings,
    };
  }

  /** The requested certificate's name; the chart passes it whenever the spec asks for one. */
  private requestedCertificate(): string {
    if (!this.props.certificateName) throw new Error('loadBalancer.listeners.https.certificate.domainName needs the Certificate construct (certificateName)');
    return this.props.certificateName;
  }
}

/** A permanent redirect to the HTTPS listener, keeping host, path and query, in the form ELB reports it. */
function redirectTo(httpsPort: number): elbv2.ListenerSpecDefaultActions {
  return {
    order: 1,
    type: 'redirect',
    redirectConfig: { protocol: 'HTTPS', port: String(httpsPort), host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' },
  };
}
