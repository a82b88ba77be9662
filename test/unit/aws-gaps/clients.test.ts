/**
 * SdkAwsClients with the real AWS SDK and a request handler that answers in memory (no network): the region comes
 * from the caller (the child's annotation) or the SDK's default chain, the endpoint from AWS_ENDPOINT_URL_WAFV2 /
 * AWS_ENDPOINT_URL (read by the SDK itself), credentials from the default provider chain, and AWS's errors keep
 * their code and message.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AwsCallError, awsCall } from '../../../controllers/aws-gaps/aws-errors.js';
import { SdkAwsClients } from '../../../controllers/aws-gaps/clients.js';
import { ACL_ARN, LB_ARN } from './fake-aws.js';

/** What the fake handler saw of one request. */
interface Seen {
  readonly url: string;
  readonly target: string;
  readonly body: unknown;
  readonly authorization: string;
}

interface FakeRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  /** The body: JSON as bytes (WAFv2), a form-encoded string (EC2 Auto Scaling's query protocol). */
  body?: Uint8Array | string;
}

/** A request handler answering every request with `status` and the JSON `answer`, recording the request. */
function fakeHandler(seen: Seen[], status = 200, answer: unknown = {}) {
  return {
    handle: async (request: FakeRequest) => {
      seen.push({
        url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`,
        target: request.headers['x-amz-target'] ?? '',
        body: JSON.parse(new TextDecoder().decode(request.body as Uint8Array | undefined) || '{}'),
        authorization: request.headers['authorization'] ?? '',
      });
      const headers = { 'content-type': 'application/x-amz-json-1.1', ...(status >= 400 ? { 'x-amzn-errortype': (answer as { __type: string }).__type } : {}) };
      return { response: { statusCode: status, headers, body: Readable.from([Buffer.from(JSON.stringify(answer))]) } };
    },
  };
}

/** The variables the SDK's default chains read; each test sets the ones it needs. */
const AWS_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_WAFV2', 'AWS_ENDPOINT_URL_AUTO_SCALING', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];
let saved: Record<string, string | undefined>;
let seen: Seen[];

beforeEach(() => {
  saved = Object.fromEntries(AWS_VARIABLES.map((v) => [v, process.env[v]]));
  for (const v of AWS_VARIABLES) delete process.env[v];
  // Credentials from the environment (the first link of the default chain); no shared files, no instance metadata.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
  seen = [];
});

afterEach(() => {
  for (const [v, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
  }
});

const clients = (status?: number, answer?: unknown) => new SdkAwsClients({ clientConfig: { requestHandler: fakeHandler(seen, status, answer), maxAttempts: 1 } });

describe('SdkAwsClients', () => {
  it('calls the public regional endpoint of the region it is given, signed with the default credential chain', async () => {
    await clients().webAcl('eu-west-1').associate(ACL_ARN, LB_ARN);
    expect(seen).toEqual([{ url: 'https://wafv2.eu-west-1.amazonaws.com/', target: 'AWSWAF_20190729.AssociateWebACL', body: { WebACLArn: ACL_ARN, ResourceArn: LB_ARN }, authorization: expect.stringContaining('Credential=AKIDEXAMPLE/') }]);
    expect(seen[0]!.authorization).toContain('/eu-west-1/wafv2/aws4_request');
  });

  it('uses the SDK default region (AWS_REGION) when the child names none', async () => {
    process.env.AWS_REGION = 'ap-southeast-2';
    await clients().webAcl(undefined).disassociate(LB_ARN);
    expect(seen.map((s) => [s.url, s.target, s.body])).toEqual([['https://wafv2.ap-southeast-2.amazonaws.com/', 'AWSWAF_20190729.DisassociateWebACL', { ResourceArn: LB_ARN }]]);
  });

  it('sends requests to AWS_ENDPOINT_URL (an emulator), keeping the region for signing', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    await clients().webAcl('us-east-1').webACLFor(LB_ARN);
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:4566/']);
    expect(seen[0]!.authorization).toContain('/us-east-1/wafv2/aws4_request');
  });

  it('prefers the service-specific AWS_ENDPOINT_URL_WAFV2', async () => {
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_WAFV2: 'http://127.0.0.1:5000' });
    await clients().webAcl('us-east-1').webACLFor(LB_ARN);
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:5000/']);
  });

  it('reads the web ACL ARN of a resource, or undefined when it has none', async () => {
    expect(await clients(200, { WebACL: { Name: 'shop-waf-dev', Id: 'a1b2c3d4', ARN: ACL_ARN } }).webAcl('eu-west-1').webACLFor(LB_ARN)).toBe(ACL_ARN);
    expect(await clients(200, {}).webAcl('eu-west-1').webACLFor(LB_ARN)).toBeUndefined();
    expect(seen.map((s) => [s.target, s.body])).toEqual([
      ['AWSWAF_20190729.GetWebACLForResource', { ResourceArn: LB_ARN }],
      ['AWSWAF_20190729.GetWebACLForResource', { ResourceArn: LB_ARN }],
    ]);
  });

  it.each([
    ['AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/op/x is not authorized to perform: wafv2:AssociateWebACL', false],
    ['WAFInvalidParameterException', 'The resource ARN is not valid.', false],
    ['ThrottlingException', 'Rate exceeded', true],
    ['WAFUnavailableEntityException', 'AWS WAF couldn’t retrieve the resource that you requested. Retry your request.', true],
  ])('keeps AWS\'s error code and message (%s) and its retry decision', async (code, message, retryable) => {
    const api = clients(400, { __type: code, message }).webAcl('eu-west-1');
    const err = await awsCall('AssociateWebACL', () => api.associate(ACL_ARN, LB_ARN)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ code, retryable, operation: 'AssociateWebACL', message: `AssociateWebACL: ${code}: ${message}` });
  });

  it('reuses one client per region and closes them', async () => {
    const c = clients();
    await c.webAcl('eu-west-1').webACLFor(LB_ARN);
    await c.webAcl('eu-west-1').webACLFor(LB_ARN);
    await c.webAcl('us-east-1').webACLFor(LB_ARN);
    expect(seen.map((s) => s.url)).toEqual(['https://wafv2.eu-west-1.amazonaws.com/', 'https://wafv2.eu-west-1.amazonaws.com/', 'https://wafv2.us-east-1.amazonaws.com/']);
    c.close();
  });
});

/** A request handler answering EC2 Auto Scaling's query protocol with `status` and the XML `answer`, recording requests. */
function xmlHandler(seen: Seen[], status = 200, answer = '<Response/>') {
  return {
    handle: async (request: FakeRequest) => {
      seen.push({
        url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`,
        target: '',
        body: Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body))),
        authorization: request.headers['authorization'] ?? '',
      });
      return { response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(answer)]) } };
    },
  };
}

const XMLNS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const scalingClients = (status?: number, answer?: string) => new SdkAwsClients({ clientConfig: { requestHandler: xmlHandler(seen, status, answer), maxAttempts: 1 } });
const errorAnswer = (code: string, message: string) => `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

describe('SdkAwsClients.autoScaling', () => {
  it('puts a target tracking policy on a predefined metric, scaling both ways and enabled, at the regional endpoint', async () => {
    await scalingClients(200, `<PutScalingPolicyResponse xmlns="${XMLNS}"><PutScalingPolicyResult><PolicyARN>arn:p</PolicyARN></PutScalingPolicyResult></PutScalingPolicyResponse>`)
      .autoScaling('eu-west-1')
      .putTargetTracking('shop-asg-dev', 'shop-asg-cpu-dev', { metric: 'ASGAverageCPUUtilization', targetValue: 70, estimatedInstanceWarmup: 300 });
    expect(seen).toEqual([
      {
        url: 'https://autoscaling.eu-west-1.amazonaws.com/',
        target: '',
        body: {
          Action: 'PutScalingPolicy',
          Version: '2011-01-01',
          AutoScalingGroupName: 'shop-asg-dev',
          PolicyName: 'shop-asg-cpu-dev',
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType': 'ASGAverageCPUUtilization',
          'TargetTrackingConfiguration.TargetValue': '70',
          'TargetTrackingConfiguration.DisableScaleIn': 'false',
          Enabled: 'true',
          EstimatedInstanceWarmup: '300',
        },
        authorization: expect.stringContaining('/eu-west-1/autoscaling/aws4_request'),
      },
    ]);
  });

  it('reads the named policy of the group, or undefined when it has none', async () => {
    const policy = `<member><PolicyName>shop-asg-cpu-dev</PolicyName><PolicyType>TargetTrackingScaling</PolicyType><TargetTrackingConfiguration><PredefinedMetricSpecification><PredefinedMetricType>ASGAverageCPUUtilization</PredefinedMetricType></PredefinedMetricSpecification><TargetValue>70.0</TargetValue><DisableScaleIn>false</DisableScaleIn></TargetTrackingConfiguration><Enabled>true</Enabled></member>`;
    const answer = (members: string) => `<DescribePoliciesResponse xmlns="${XMLNS}"><DescribePoliciesResult><ScalingPolicies>${members}</ScalingPolicies></DescribePoliciesResult></DescribePoliciesResponse>`;
    expect(await scalingClients(200, answer(policy)).autoScaling('eu-west-1').policy('shop-asg-dev', 'shop-asg-cpu-dev')).toEqual({
      policyType: 'TargetTrackingScaling',
      metric: 'ASGAverageCPUUtilization',
      customizedMetric: false,
      targetValue: 70,
      disableScaleIn: false,
      enabled: true,
      estimatedInstanceWarmup: undefined,
    });
    expect(await scalingClients(200, answer('')).autoScaling('eu-west-1').policy('shop-asg-dev', 'shop-asg-cpu-dev')).toBeUndefined();
    expect(seen.map((s) => s.body)).toEqual([
      { Action: 'DescribePolicies', Version: '2011-01-01', AutoScalingGroupName: 'shop-asg-dev', 'PolicyNames.member.1': 'shop-asg-cpu-dev' },
      { Action: 'DescribePolicies', Version: '2011-01-01', AutoScalingGroupName: 'shop-asg-dev', 'PolicyNames.member.1': 'shop-asg-cpu-dev' },
    ]);
  });

  it('deletes the named policy of the group', async () => {
    await scalingClients().autoScaling('eu-west-1').deletePolicy('shop-asg-dev', 'shop-asg-cpu-dev');
    expect(seen.map((s) => s.body)).toEqual([{ Action: 'DeletePolicy', Version: '2011-01-01', AutoScalingGroupName: 'shop-asg-dev', PolicyName: 'shop-asg-cpu-dev' }]);
  });

  it('prefers the service-specific AWS_ENDPOINT_URL_AUTO_SCALING over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    await scalingClients().autoScaling('us-east-1').deletePolicy('g', 'p');
    process.env.AWS_ENDPOINT_URL_AUTO_SCALING = 'http://127.0.0.1:5000';
    await scalingClients().autoScaling('us-east-1').deletePolicy('g', 'p');
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:4566/', 'http://127.0.0.1:5000/']);
  });

  it.each([
    ['ValidationError', 'Group shop-asg-dev not found', false],
    ['LimitExceeded', 'You have reached the maximum number of scaling policies.', false],
    ['AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/op/x is not authorized to perform: autoscaling:PutScalingPolicy', false],
    ['Throttling', 'Rate exceeded', true],
    ['ResourceContentionFault', 'You already have a pending update to an Auto Scaling resource.', true],
  ])('keeps AWS\'s error code and message (%s) and its retry decision', async (code, message, retryable) => {
    const api = scalingClients(400, errorAnswer(code, message)).autoScaling('eu-west-1');
    const err = await awsCall('DeletePolicy', () => api.deletePolicy('shop-asg-dev', 'shop-asg-cpu-dev')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    // The SDK names a modelled error after its exception class (LimitExceeded → LimitExceededFault).
    const name = code === 'LimitExceeded' ? 'LimitExceededFault' : code;
    expect(err).toMatchObject({ code: name, retryable, message: `DeletePolicy: ${name}: ${message}` });
  });
});
