import { childState } from '../../../controllers/marketplace-environment/ack-status.js';
import * as apigateway from '../../../imports/apigateway.services.k8s.aws.js';
import * as apigatewayv2 from '../../../imports/apigatewayv2.services.k8s.aws.js';
import * as cloudfront from '../../../imports/cloudfront.services.k8s.aws.js';
import * as dynamodb from '../../../imports/dynamodb.services.k8s.aws.js';
import * as ec2 from '../../../imports/ec2.services.k8s.aws.js';
import * as kms from '../../../imports/kms.services.k8s.aws.js';
import * as lambda from '../../../imports/lambda.services.k8s.aws.js';

const cond = (type: string, status: string, extra: Record<string, string> = {}) => ({ type, status, ...extra });
const synced = [cond('ACK.ResourceSynced', 'True'), cond('Ready', 'True')];
const EC2 = 'ec2.services.k8s.aws/v1alpha1';
const RDS = 'rds.services.k8s.aws/v1alpha1';

describe('childState', () => {
  it.each([
    ['no status yet', { kind: 'VPC' }, 'Progressing', 'NotReconciledByACK'],
    ['synced VPC', { kind: 'VPC', status: { conditions: synced } }, 'Ready', undefined],
    ['terminal wins over synced', { apiVersion: RDS, kind: 'DBCluster', status: { status: 'available', conditions: [...synced, cond('ACK.Terminal', 'True', { reason: 'InvalidParameter', message: 'bad version' })] } }, 'Failed', 'InvalidParameter'],
    ['recoverable error', { kind: 'Subnet', status: { conditions: [cond('ACK.ResourceSynced', 'Unknown'), cond('ACK.Recoverable', 'True', { message: 'throttled' })] } }, 'Progressing', 'ACKRecoverable'],
    ['unresolved references', { kind: 'Subnet', status: { conditions: [cond('ACK.ReferencesResolved', 'Unknown', { reason: 'referenced resource is not synced yet' })] } }, 'Progressing', 'ReferencesUnresolved'],
    ['synced but NAT not available', { apiVersion: EC2, kind: 'NATGateway', status: { state: 'pending', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['NAT available', { apiVersion: EC2, kind: 'NATGateway', status: { state: 'available', conditions: synced } }, 'Ready', undefined],
    ['NAT failed', { apiVersion: EC2, kind: 'NATGateway', status: { state: 'failed', conditions: [cond('ACK.ResourceSynced', 'False')] } }, 'Failed', 'AWSStatusFailed'],
    ['DB instance creating', { apiVersion: RDS, kind: 'DBInstance', status: { dbInstanceStatus: 'creating', conditions: [cond('ACK.ResourceSynced', 'False', { message: 'creating' })] } }, 'Progressing', 'NotSynced'],
    ['replication group create-failed (ACK marks it synced)', { apiVersion: 'elasticache.services.k8s.aws/v1alpha1', kind: 'ReplicationGroup', status: { status: 'create-failed', conditions: synced } }, 'Failed', 'AWSStatusFailed'],
    ['distribution still in progress', { apiVersion: 'cloudfront.services.k8s.aws/v1alpha1', kind: 'Distribution', status: { status: 'InProgress', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['distribution deployed', { apiVersion: 'cloudfront.services.k8s.aws/v1alpha1', kind: 'Distribution', status: { status: 'Deployed', conditions: synced } }, 'Ready', undefined],
    ['load balancer provisioning (a nested state field)', { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', status: { state: { code: 'provisioning' }, conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['load balancer active', { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', status: { state: { code: 'active' }, conditions: synced } }, 'Ready', undefined],
    ['load balancer failed', { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', status: { state: { code: 'failed' }, conditions: synced } }, 'Failed', 'AWSStatusFailed'],
    ['certificate waiting for DNS validation', { apiVersion: 'acm.services.k8s.aws/v1alpha1', kind: 'Certificate', status: { status: 'PENDING_VALIDATION', conditions: synced } }, 'Progressing', 'AWSStatus'],
    ['certificate issued', { apiVersion: 'acm.services.k8s.aws/v1alpha1', kind: 'Certificate', status: { status: 'ISSUED', conditions: synced } }, 'Ready', undefined],
    ['certificate validation timed out', { apiVersion: 'acm.services.k8s.aws/v1alpha1', kind: 'Certificate', status: { status: 'VALIDATION_TIMED_OUT', conditions: synced } }, 'Failed', 'AWSStatusFailed'],
  ])('%s', (_name, obj, state, reason) => {
    const s = childState(obj);
    expect(s.state).toBe(state);
    expect(s.reason).toBe(reason);
  });

  it.each([
    ['a terminal error without a reason', cond('ACK.Terminal', 'True', { reason: '', message: 'bad version' }), { state: 'Failed', reason: 'ACKTerminal', message: 'bad version' }],
    ['a terminal error without reason or message', cond('ACK.Terminal', 'True'), { state: 'Failed', reason: 'ACKTerminal', message: 'ACK reports a terminal error' }],
    ['a terminal error with ACK\'s reason', cond('ACK.Terminal', 'True', { reason: 'InvalidParameter', message: 'bad' }), { state: 'Failed', reason: 'InvalidParameter', message: 'bad' }],
    ['not synced, with a blank reason and message', cond('ACK.ResourceSynced', 'False', { reason: ' ', message: '' }), { state: 'Progressing', reason: 'NotSynced' }],
    ['not synced, with ACK\'s reason', cond('ACK.ResourceSynced', 'False', { reason: 'Throttling', message: 'Rate exceeded' }), { state: 'Progressing', reason: 'Throttling', message: 'Rate exceeded' }],
  ])('handles %s', (_name, condition, expected) => {
    expect(childState({ kind: 'VPC', status: { conditions: [condition] } })).toEqual(expected);
  });

  it('truncates very long ACK messages', () => {
    const s = childState({ kind: 'VPC', status: { conditions: [cond('ACK.Terminal', 'True', { message: 'x'.repeat(5000) })] } });
    expect(s.message!.length).toBeLessThanOrEqual(1024);
  });
});

describe('childState of the serverless tier\'s kinds', () => {
  type Condition = ReturnType<typeof cond>;
  const of = (gvk: { apiVersion: string; kind: string }, status: Record<string, unknown>, conditions: Condition[] = synced) => ({ ...gvk, status: { ...status, conditions } });
  const unsynced = [cond('ACK.ResourceSynced', 'False'), cond('Ready', 'False')];

  it.each([
    // DynamoDB: ACK syncs ACTIVE and ARCHIVED tables.
    ['table creating', of(dynamodb.Table.GVK, { tableStatus: 'CREATING' }, unsynced), 'Progressing', 'NotSynced', undefined],
    ['table updating (ACK synced it before the update started)', of(dynamodb.Table.GVK, { tableStatus: 'UPDATING' }), 'Progressing', 'AWSStatus', 'tableStatus is UPDATING'],
    ['table active', of(dynamodb.Table.GVK, { tableStatus: 'ACTIVE' }), 'Ready', undefined, undefined],
    ['table synced before DynamoDB reported a status', of(dynamodb.Table.GVK, {}), 'Progressing', 'AWSStatus', 'tableStatus is not reported yet'],
    ['table whose KMS key is inaccessible', of(dynamodb.Table.GVK, { tableStatus: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS' }, unsynced), 'Failed', 'AWSStatusFailed', 'tableStatus is INACCESSIBLE_ENCRYPTION_CREDENTIALS'],
    ['table archived (ACK marks it synced)', of(dynamodb.Table.GVK, { tableStatus: 'ARCHIVED', archivalSummary: { archivalReason: 'Archived due to table level KMS key being inaccessible for more than seven days' } }), 'Failed', 'AWSStatusFailed', 'tableStatus is ARCHIVED: Archived due to table level KMS key being inaccessible for more than seven days'],
    ['table being archived', of(dynamodb.Table.GVK, { tableStatus: 'ARCHIVING' }, unsynced), 'Failed', 'AWSStatusFailed', 'tableStatus is ARCHIVING'],
    // Lambda: ACK syncs Active and Inactive functions; it does not look at the last update.
    ['function pending', of(lambda.Function.GVK, { state: 'Pending' }, unsynced), 'Progressing', 'NotSynced', undefined],
    ['function pending, ACK\'s synced condition not updated yet', of(lambda.Function.GVK, { state: 'Pending', lastUpdateStatus: 'InProgress' }), 'Progressing', 'AWSStatus', 'state is Pending'],
    ['function active', of(lambda.Function.GVK, { state: 'Active', lastUpdateStatus: 'Successful' }), 'Ready', undefined, undefined],
    ['function active without an update status', of(lambda.Function.GVK, { state: 'Active' }), 'Ready', undefined, undefined],
    ['function inactive (idle; reactivated on invocation)', of(lambda.Function.GVK, { state: 'Inactive', lastUpdateStatus: 'Successful' }), 'Ready', undefined, undefined],
    ['function update in progress (ACK marks it synced)', of(lambda.Function.GVK, { state: 'Active', lastUpdateStatus: 'InProgress' }), 'Progressing', 'AWSStatus', 'lastUpdateStatus is InProgress'],
    ['function failed (ACK leaves it unsynced)', of(lambda.Function.GVK, { state: 'Failed', stateReason: 'The subnet has no free IP addresses', stateReasonCode: 'SubnetOutOfIPAddresses' }, unsynced), 'Failed', 'AWSStatusFailed', 'state is Failed: The subnet has no free IP addresses'],
    ['function whose last update failed (ACK marks it synced)', of(lambda.Function.GVK, { state: 'Active', lastUpdateStatus: 'Failed', lastUpdateStatusReason: 'Lambda was unable to configure access to your environment variables' }), 'Failed', 'AWSStatusFailed', 'lastUpdateStatus is Failed: Lambda was unable to configure access to your environment variables'],
    ['function not reconciled yet', { ...lambda.Function.GVK }, 'Progressing', 'NotReconciledByACK', expect.any(String)],
    // VPC endpoints: EC2 answers states in lower case.
    ['VPC endpoint pending', of(ec2.VpcEndpoint.GVK, { state: 'pending' }), 'Progressing', 'AWSStatus', 'state is pending'],
    ['VPC endpoint pending acceptance', of(ec2.VpcEndpoint.GVK, { state: 'pendingAcceptance' }), 'Progressing', 'AWSStatus', 'state is pendingAcceptance'],
    ['VPC endpoint available', of(ec2.VpcEndpoint.GVK, { state: 'available' }), 'Ready', undefined, undefined],
    ['VPC endpoint available, as documented (capitalised)', of(ec2.VpcEndpoint.GVK, { state: 'Available' }), 'Ready', undefined, undefined],
    ['VPC endpoint failed', of(ec2.VpcEndpoint.GVK, { state: 'failed', lastError: { code: 'InsufficientFreeAddresses', message: 'no free address in subnet-1' } }), 'Failed', 'AWSStatusFailed', 'state is failed: no free address in subnet-1'],
    ['VPC endpoint rejected', of(ec2.VpcEndpoint.GVK, { state: 'Rejected' }), 'Failed', 'AWSStatusFailed', 'state is Rejected'],
    // REST API: apiStatus may be absent.
    ['REST API without apiStatus', of(apigateway.RestApi.GVK, { id: 'a1b2c3', rootResourceID: 'r00t' }), 'Ready', undefined, undefined],
    ['REST API available', of(apigateway.RestApi.GVK, { apiStatus: 'AVAILABLE' }), 'Ready', undefined, undefined],
    ['REST API updating (still invocable)', of(apigateway.RestApi.GVK, { apiStatus: 'UPDATING' }), 'Ready', undefined, undefined],
    ['REST API pending', of(apigateway.RestApi.GVK, { apiStatus: 'PENDING' }), 'Progressing', 'AWSStatus', 'apiStatus is PENDING'],
    ['REST API failed', of(apigateway.RestApi.GVK, { apiStatus: 'FAILED' }), 'Failed', 'AWSStatusFailed', 'apiStatus is FAILED'],
  ])('%s', (_name, obj, state, reason, message) => {
    expect(childState(obj)).toEqual({ state, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
  });

  // Kinds whose readiness is ACK's conditions alone: synced means ready, whatever their status fields say.
  it.each([
    ['lambda LayerVersion', of(lambda.LayerVersion.GVK, { layerARN: 'arn:aws:lambda:us-east-1:123456789012:layer:shop-shared', versionNumber: 1 })],
    ['lambda Alias', of(lambda.Alias.GVK, { revisionID: 'r1' })],
    ['kms Alias', of(kms.Alias.GVK, {})],
    ['apigatewayv2 API', of(apigatewayv2.Api.GVK, { apiID: 'a1b2c3', apiEndpoint: 'https://a1b2c3.execute-api.us-east-1.amazonaws.com' })],
    ['apigatewayv2 Integration', of(apigatewayv2.Integration.GVK, { integrationID: 'i1' })],
    ['apigatewayv2 Route', of(apigatewayv2.Route.GVK, { routeID: 'r1' })],
    ['apigatewayv2 Stage', of(apigatewayv2.Stage.GVK, { lastDeploymentStatusMessage: 'Deployment attempt failed' })],
    ['apigateway Resource', of(apigateway.Resource.GVK, { id: 'res1', path: '/trade' })],
    ['apigateway Method', of(apigateway.Method.GVK, {})],
    ['apigateway Integration', of(apigateway.Integration.GVK, {})],
    ['apigateway Deployment', of(apigateway.Deployment.GVK, { id: 'd1' })],
    ['apigateway Stage', of(apigateway.Stage.GVK, { cacheClusterStatus: 'NOT_AVAILABLE' })],
  ])('%s is Ready once ACK reports it synced, Failed when ACK reports a terminal error', (_name, obj) => {
    expect(childState(obj)).toEqual({ state: 'Ready' });
    expect(childState({ ...obj, status: { ...obj.status, conditions: [cond('ACK.Terminal', 'True', { reason: 'BadRequestException', message: 'Invalid integration URI' })] } })).toEqual({ state: 'Failed', reason: 'BadRequestException', message: 'Invalid integration URI' });
    expect(childState({ ...obj, status: { ...obj.status, conditions: [cond('ACK.ResourceSynced', 'False')] } }).state).toBe('Progressing');
  });

  it('reads a kind\'s status fields only for its own API group', () => {
    // cloudfront also has a kind named Function, with no `state`; a lambda-like status there means nothing to us.
    const cloudfrontFunction = { apiVersion: cloudfront.Distribution.GVK.apiVersion, kind: 'Function', status: { state: 'Failed', conditions: synced } };
    expect(childState(cloudfrontFunction)).toEqual({ state: 'Ready' });
    expect(childState({ ...cloudfrontFunction, apiVersion: lambda.Function.GVK.apiVersion }).state).toBe('Failed');
    // Without an apiVersion, no kind-specific field is read.
    expect(childState({ kind: 'Table', status: { tableStatus: 'ARCHIVED', conditions: synced } })).toEqual({ state: 'Ready' });
  });
});
