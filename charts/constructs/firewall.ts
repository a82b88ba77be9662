/**
 * Firewall: one WAFv2 web ACL that allows by default, blocks client IPs above the rate limit (priority 0) and then
 * evaluates the AWS managed rule groups in spec order (priority 1..). CloudWatch metrics and request sampling are on
 * for the ACL and every rule.
 *
 * CLOUDFRONT scope: the web ACL must be created in us-east-1 whatever the environment's region; the Distribution
 * picks its ARN up through a late binding (cdn.ts). REGIONAL scope: ACK cannot associate it with a load balancer;
 * the load balancer declares the association and the operator makes it (load-balancer.ts, aws-gaps.ts).
 */
import { Construct } from 'constructs';
import type { FirewallSpec } from '../../api/index.js';
import * as wafv2 from '../../imports/wafv2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link Firewall}. */
export interface FirewallProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.firewall`. */
  readonly spec: FirewallSpec;
}

/** Region of every CLOUDFRONT-scope web ACL. */
export const CLOUDFRONT_WAF_REGION = 'us-east-1';
/** Name of the rate-limit rule. */
export const RATE_LIMIT_RULE = 'rate-limit';

/** The WAFv2 web ACL of an environment. */
export class Firewall extends Construct {
  /** Kubernetes name of the WebACL. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    this.name = names.k8s('waf');
    const aclName = names.aws('waf');
    // Metric names: letters, digits and `-_` only; prefixed with the ACL name so they are unique per account.
    const visibility = (metricName: string): wafv2.WebAclSpecVisibilityConfig => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

    const rules: wafv2.WebAclSpecRules[] = [
      {
        name: RATE_LIMIT_RULE,
        priority: 0,
        statement: { rateBasedStatement: { limit: spec.rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: spec.rateLimitWindowSeconds } },
        action: { block: {} },
        visibilityConfig: visibility(`${aclName}-${RATE_LIMIT_RULE}`),
      },
      ...spec.managedRuleGroups.map(
        (group, i): wafv2.WebAclSpecRules => ({
          name: group,
          priority: i + 1,
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
          overrideAction: { none: {} },
          visibilityConfig: visibility(`${aclName}-${group}`),
        }),
      ),
    ];

    new wafv2.WebAcl(this, 'web-acl', {
      metadata: ctx.metadata('firewall', this.name, {
        ...(spec.scope === 'CLOUDFRONT' ? { region: CLOUDFRONT_WAF_REGION } : {}),
        outputs: [{ output: '/firewall/webACLARN', fieldPath: 'status.ackResourceMetadata.arn' }],
      }),
      spec: {
        name: aclName,
        scope: spec.scope,
        description: `${aclName} rate limit per client IP and AWS managed rule groups`,
        defaultAction: { allow: {} },
        rules,
        visibilityConfig: visibility(aclName),
        tags: names.tags(aclName),
      },
    });
  }
}
