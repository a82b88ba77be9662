/**
 * The kinds the charts render, with their plural resource names (for watching, RBAC and discovery) and their
 * deletion waves. Pure data.
 *
 * Deletion waves: while an environment is deleted, the controller deletes its children wave by wave, lowest first, the
 * next wave only once the previous one is gone (deletion-order.ts). ACK does not order deletion, and AWS refuses to
 * delete what is still in use (a VPC deleted before its subnets loops on DependencyViolation), so a kind's wave comes
 * after every kind that uses it. Mostly that is the reverse of the references, with two deliberate exceptions: a
 * NAT gateway goes before the route tables that route to it (a route to a deleted NAT gateway is only a blackhole
 * route, while the NAT gateway holds an elastic IP and an interface in a subnet), and a Distribution goes before the
 * buckets whose policy names it (it serves them). Within a wave, AWS retries sort out the rest: a web ACL is deleted
 * once the Distribution it protects no longer uses it, a security group once no other group's rules name it.
 */
import * as acm from '../imports/acm.services.k8s.aws.js';
import * as apigateway from '../imports/apigateway.services.k8s.aws.js';
import * as apigatewayv2 from '../imports/apigatewayv2.services.k8s.aws.js';
import * as applicationautoscaling from '../imports/applicationautoscaling.services.k8s.aws.js';
import * as autoscaling from '../imports/autoscaling.services.k8s.aws.js';
import * as cloudfront from '../imports/cloudfront.services.k8s.aws.js';
import * as cloudwatch from '../imports/cloudwatch.services.k8s.aws.js';
import * as cloudwatchlogs from '../imports/cloudwatchlogs.services.k8s.aws.js';
import * as cognitoidentityprovider from '../imports/cognitoidentityprovider.services.k8s.aws.js';
import * as dynamodb from '../imports/dynamodb.services.k8s.aws.js';
import * as ec2 from '../imports/ec2.services.k8s.aws.js';
import * as ecr from '../imports/ecr.services.k8s.aws.js';
import * as ecs from '../imports/ecs.services.k8s.aws.js';
import * as elasticache from '../imports/elasticache.services.k8s.aws.js';
import * as elbv2 from '../imports/elbv2.services.k8s.aws.js';
import * as iam from '../imports/iam.services.k8s.aws.js';
import * as kms from '../imports/kms.services.k8s.aws.js';
import * as lambda from '../imports/lambda.services.k8s.aws.js';
import * as rds from '../imports/rds.services.k8s.aws.js';
import * as route53 from '../imports/route53.services.k8s.aws.js';
import * as s3 from '../imports/s3.services.k8s.aws.js';
import * as secretsmanager from '../imports/secretsmanager.services.k8s.aws.js';
import * as sns from '../imports/sns.services.k8s.aws.js';
import * as wafv2 from '../imports/wafv2.services.k8s.aws.js';

/** A child kind: its GVK, plural resource name and deletion wave. */
export interface ChildKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  /** When it is deleted with its environment: lower waves first (see the module comment). */
  readonly deletionWave: number;
}

const child = (gvk: { apiVersion: string; kind: string }, plural: string, deletionWave: number): ChildKind => ({ apiVersion: gvk.apiVersion, kind: gvk.kind, plural, deletionWave });

/** Every kind an environment may render (in the order the trace lists children it has no status for). */
export const CHILD_KINDS: readonly ChildKind[] = [
  child(ec2.Vpc.GVK, 'vpcs', 17),
  // Before its route tables: a route table cannot be deleted while subnets are associated with it.
  child(ec2.Subnet.GVK, 'subnets', 14),
  // After the route tables that route to it, and after the NAT gateways and elastic IPs: an internet gateway cannot be
  // detached while public addresses are mapped in the VPC.
  child(ec2.InternetGateway.GVK, 'internetgateways', 16),
  child(ec2.ElasticIpAddress.GVK, 'elasticipaddresses', 13),
  // Before its elastic IP and its subnet: it holds both (an address and a network interface).
  child(ec2.NatGateway.GVK, 'natgateways', 12),
  child(ec2.RouteTable.GVK, 'routetables', 15),
  // After the database, the cache, the load balancer, the tasks and the instances, whose network interfaces use it.
  child(ec2.SecurityGroup.GVK, 'securitygroups', 11),
  child(rds.DbSubnetGroup.GVK, 'dbsubnetgroups', 10),
  // After its member instances: AWS deletes a cluster only once it has no instances.
  child(rds.DbCluster.GVK, 'dbclusters', 9),
  child(rds.DbInstance.GVK, 'dbinstances', 8),
  // After the tasks and functions connecting through it; before the database it fronts, its role and policies, its
  // security group and subnets.
  child(rds.DbProxy.GVK, 'dbproxies', 4),
  child(elasticache.CacheSubnetGroup.GVK, 'cachesubnetgroups', 10),
  child(elasticache.ReplicationGroup.GVK, 'replicationgroups', 8),
  // After the Distribution that serves it.
  child(s3.Bucket.GVK, 'buckets', 10),
  // After the Distribution whose origins use it.
  child(cloudfront.OriginAccessControl.GVK, 'originaccesscontrols', 8),
  child(cloudfront.Distribution.GVK, 'distributions', 7),
  // With the Distribution: it protects it.
  child(wafv2.WebAcl.GVK, 'webacls', 7),
  child(secretsmanager.Secret.GVK, 'secrets', 8),
  // Before the target groups it forwards to, the load balancer it belongs to and its certificate: AWS refuses to delete
  // a target group or a certificate in use.
  child(elbv2.Listener.GVK, 'listeners', 3),
  // After the listeners, and after the ECS services and Auto Scaling groups registered in them.
  child(elbv2.TargetGroup.GVK, 'targetgroups', 4),
  child(acm.Certificate.GVK, 'certificates', 4),
  // After its listeners; before its security group and subnets, whose network interfaces it holds.
  child(elbv2.LoadBalancer.GVK, 'loadbalancers', 5),
  // The application tier is deleted first: it uses everything else (endpoints, secrets, buckets, the load balancer,
  // the network). A scaling policy before its scalable target, the target before the ECS service it scales.
  child(applicationautoscaling.ScalingPolicy.GVK, 'scalingpolicies', 0),
  child(applicationautoscaling.ScalableTarget.GVK, 'scalabletargets', 1),
  // Before their target groups (AWS refuses to delete a target group in use), task definitions, cluster and launch
  // template.
  child(ecs.Service.GVK, 'services', 2),
  child(autoscaling.AutoScalingGroup.GVK, 'autoscalinggroups', 2),
  child(ecs.TaskDefinition.GVK, 'taskdefinitions', 3),
  child(ecs.Cluster.GVK, 'clusters', 3),
  // Before the instance profile and the security group it names.
  child(ec2.LaunchTemplate.GVK, 'launchtemplates', 3),
  // Before its role: IAM refuses to delete a role still in an instance profile.
  child(iam.InstanceProfile.GVK, 'instanceprofiles', 4),
  // After the task definitions and instance profiles using it, before its policies: AWS refuses to delete a policy
  // still attached to a role.
  child(iam.Role.GVK, 'roles', 5),
  child(iam.Policy.GVK, 'policies', 6),
  // After the task definitions writing to it and the policies naming it.
  child(cloudwatchlogs.LogGroup.GVK, 'loggroups', 7),
  // Late, with the other stores of data: after the task definitions and policies naming it.
  child(ecr.Repository.GVK, 'repositories', 10),
  // DNS first: nothing uses a record (and deleting them first stops sending users to an environment being taken down);
  // the zone after its records: Route 53 refuses to delete a zone holding more than its NS and SOA records.
  child(route53.RecordSet.GVK, 'recordsets', 0),
  child(route53.HostedZone.GVK, 'hostedzones', 1),
  // Monitoring first: the alarms and the dashboard name the load balancer, target groups, API, functions and tables, and
  // notify the topic (and stay silent about the teardown); the topic after the alarms and subscriptions using it.
  child(cloudwatch.MetricAlarm.GVK, 'metricalarms', 0),
  child(cloudwatch.Dashboard.GVK, 'dashboards', 0),
  child(sns.Subscription.GVK, 'subscriptions', 0),
  child(sns.Topic.GVK, 'topics', 1),
  // The APIs go first: they invoke the functions. Within an HTTP API, the stage and routes before the integrations the
  // routes target, the API last; within a REST API, the stage before its deployment, the deployment before the
  // integrations it snapshots, integrations before their methods, methods before their resources (a resource before
  // its parent: AWS deletes a resource's children with it), the API last.
  child(apigatewayv2.Stage.GVK, 'stages', 0),
  child(apigatewayv2.Route.GVK, 'routes', 0),
  child(apigatewayv2.Integration.GVK, 'integrations', 1),
  child(apigatewayv2.Api.GVK, 'apis', 4),
  child(apigateway.Stage.GVK, 'stages', 0),
  child(apigateway.Deployment.GVK, 'deployments', 1),
  child(apigateway.Integration.GVK, 'integrations', 2),
  child(apigateway.Method.GVK, 'methods', 3),
  child(apigateway.Resource.GVK, 'resources', 4),
  child(apigateway.RestApi.GVK, 'restapis', 5),
  // The alias carrying the API's invoke permission before its function; the function before its layers, its role,
  // log group, security group and subnets.
  child(lambda.Alias.GVK, 'aliases', 3),
  child(lambda.Function.GVK, 'functions', 4),
  child(lambda.LayerVersion.GVK, 'layerversions', 5),
  // With the other stores of data: after the functions using them and the policies naming them.
  child(dynamodb.Table.GVK, 'tables', 10),
  // A store of data (its users), with the others. The operator deletes its app clients (aws-gaps
  // CognitoUserPoolClient) before it: nothing else uses it.
  child(cognitoidentityprovider.UserPool.GVK, 'userpools', 10),
  // Before the route tables, subnets and security group it uses.
  child(ec2.VpcEndpoint.GVK, 'vpcendpoints', 10),
  // Before the key it names.
  child(kms.Alias.GVK, 'aliases', 17),
  // Last: the database, the cache, the buckets and the secrets were encrypted with it.
  child(kms.Key.GVK, 'keys', 18),
];

/** `apiVersion/kind` key of an object or kind. */
export const gvkKey = (o: { apiVersion?: string; kind?: string }): string => `${o.apiVersion}/${o.kind}`;

/** `apiVersion/kind/name` key of an object in one namespace. */
export const objectKey = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
