/**
 * Who delivers the access logs of an Application Load Balancer to S3, per region, and the bucket-policy statement
 * that lets it write (storage.ts puts it into the policy of the bucket spec.loadBalancer.accessLogs names).
 *
 * Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html, "Attach a
 * policy to your S3 bucket". Regions available before August 2022 deliver as a regional Elastic Load Balancing account
 * (the table below, the principal `arn:<partition>:iam::<elb account>:root`); every region since delivers as the
 * service principal `logdelivery.elasticloadbalancing.amazonaws.com`. Either way the grant is s3:PutObject under
 * `<prefix>/AWSLogs/<our account id>/`, so another account's load balancer, delivered by the same ELB account, cannot
 * write into the bucket.
 */
import { partition } from './iam.js';

/** The Elastic Load Balancing account delivering access logs in each region older than August 2022. */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-southeast-3': '589379963580',
  'ap-south-1': '718504428378',
  'ap-northeast-3': '383597477331',
  'ap-northeast-2': '600734575887',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-northeast-1': '582318560864',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-south-1': '635631232127',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
};

/** The log delivery service principal of the regions available since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** Statement id of the grant, so that tests and readers find it in the policy. */
export const ELB_LOG_DELIVERY_SID = 'AllowELBAccessLogDelivery';

/** The principal delivering ELB access logs in `region`. */
export function elbLogDeliveryPrincipal(region: string): Record<string, string> {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account ? { AWS: `arn:${partition(region)}:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}

/**
 * Lets ELB write the access logs of `account`'s load balancers into the bucket `bucketArn`, under `prefix` (none: at
 * the top) — the objects `<bucket>/<prefix>/AWSLogs/<account>/…`.
 */
export function allowElbLogDelivery(bucketArn: string, region: string, account: string, prefix?: string): Record<string, unknown> {
  return {
    Sid: ELB_LOG_DELIVERY_SID,
    Effect: 'Allow',
    Principal: elbLogDeliveryPrincipal(region),
    Action: 's3:PutObject',
    Resource: `${bucketArn}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`,
  };
}
