/**
 * The aws-gaps executor against the emulated AWS of the e2e stack (moto): a REGIONAL web ACL and an Application Load
 * Balancer are created directly through moto's AWS API (boto3 in the moto virtualenv: no ACK controller serves
 * WAFv2 here), then the executor, with the real AWS SDK pointed at moto by AWS_ENDPOINT_URL as the operator would be,
 * associates them, keeps the association, removes it when the declaration names no web ACL, and undoes it for a
 * deletion. Every state is read back through moto's own GetWebACLForResource.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { arnOf, awsGapAnnotations, type WebAclAssociation } from '../../charts/aws-gaps.js';
import { REGION_ANNOTATION } from '../../charts/context.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients, type AwsClients } from '../../controllers/aws-gaps/clients.js';
import type { AwsGapChild } from '../../controllers/aws-gaps/declarations.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import { e2eInfo } from './env.js';
import { botoScript, motoSdkEnvironment } from './helpers/moto-scripts.js';

const REGION = 'us-east-1';
const info = e2eInfo();
const prefix = `gaps-${info.namespaceSuffix}`;

/** Fixtures and reads through boto3: `setup <prefix>`, `get <lb arn>`, `teardown <fixtures json>`. */
const BOTO = `
import boto3, json, sys
endpoint, region, op, arg = sys.argv[1:5]
kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')
ec2, elb, waf = (boto3.client(s, **kw) for s in ('ec2', 'elbv2', 'wafv2'))
if op == 'setup':
    vpc = ec2.create_vpc(CidrBlock='10.77.0.0/16')['Vpc']['VpcId']
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.77.{i}.0/24', AvailabilityZone=region + z)['Subnet']['SubnetId'] for i, z in enumerate('ab')]
    lb = elb.create_load_balancer(Name=arg + '-alb', Subnets=subnets, Type='application', Scheme='internet-facing')['LoadBalancers'][0]['LoadBalancerArn']
    acl = lambda n: waf.create_web_acl(Name=n, Scope='REGIONAL', DefaultAction={'Allow': {}}, VisibilityConfig={'SampledRequestsEnabled': False, 'CloudWatchMetricsEnabled': False, 'MetricName': n})['Summary']
    print(json.dumps({'vpc': vpc, 'subnets': subnets, 'lb': lb, 'acl': acl(arg + '-waf')}))
elif op == 'get':
    print(json.dumps(waf.get_web_acl_for_resource(ResourceArn=arg).get('WebACL', {}).get('ARN')))
elif op == 'teardown':
    f = json.loads(arg)
    elb.delete_load_balancer(LoadBalancerArn=f['lb'])
    a = f['acl']
    waf.delete_web_acl(Name=a['Name'], Scope='REGIONAL', Id=a['Id'], LockToken=waf.get_web_acl(Name=a['Name'], Scope='REGIONAL', Id=a['Id'])['LockToken'])
    for s in f['subnets']:
        ec2.delete_subnet(SubnetId=s)
    ec2.delete_vpc(VpcId=f['vpc'])
    print('null')
`;

const boto = botoScript(BOTO, info.awsEndpoint, REGION, 60_000);

/** The web ACL of `lb` as moto's GetWebACLForResource reports it. */
const webAclOf = (lb: string) => boto<string | null>('get', lb);

interface Fixtures {
  vpc: string;
  subnets: string[];
  lb: string;
  acl: { Name: string; Id: string; ARN: string };
}

const LB = { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', name: `${prefix}-alb` };
const ACL = { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: `${prefix}-waf` };
const declaration = (withAcl: boolean): WebAclAssociation => ({ type: 'WebACLAssociation', name: `${prefix}-alb-waf`, resourceARN: arnOf(LB), ...(withAcl ? { webACLARN: arnOf(ACL) } : {}) });

/** A child as ACK reports it once synced. */
function child(ref: typeof LB, arn: string, annotations: Record<string, string> = {}): AwsGapChild {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, labels: { [COMPONENT_LABEL]: 'loadBalancer' }, annotations: { [REGION_ANNOTATION]: REGION, ...annotations } },
    status: { ackResourceMetadata: { arn }, conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }] },
  };
}

/** The SDK clients, counting the AWS calls made through them. */
function counting(sdk: SdkAwsClients, calls: string[]): AwsClients {
  return {
    webAcl: (region) => {
      const api = sdk.webAcl(region);
      return {
        webACLFor: (r) => (calls.push('GetWebACLForResource'), api.webACLFor(r)),
        associate: (a, r) => (calls.push('AssociateWebACL'), api.associate(a, r)),
        disassociate: (r) => (calls.push('DisassociateWebACL'), api.disassociate(r)),
      };
    },
    autoScaling: (region) => sdk.autoScaling(region),
    rdsProxy: (region) => sdk.rdsProxy(region),
    cognito: (region) => sdk.cognito(region),
  };
}

describe('WebACLAssociation against moto', () => {
  const environment = motoSdkEnvironment(info.awsEndpoint);
  const sdk = new SdkAwsClients();
  const calls: string[] = [];
  const actions = new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger(), recheckMs: 60_000 });
  let f: Fixtures;
  let live: AwsGapChild[];
  const desired = (withAcl: boolean) => [child(LB, f.lb, awsGapAnnotations([declaration(withAcl)]))];

  beforeAll(async () => {
    // As the operator process is started next to the ACK controllers: endpoint and fake credentials from the environment.
    environment.set();
    f = await boto<Fixtures>('setup', prefix);
    live = [...desired(true), child(ACL, f.acl.ARN)];
  });

  afterAll(async () => {
    sdk.close();
    environment.restore();
    if (f) await boto('teardown', JSON.stringify(f));
  });

  it('associates the web ACL with the load balancer once both are synced', async () => {
    const report = await actions.reconcile(desired(true), live);
    expect(report.error).toBeUndefined();
    expect(report.components).toEqual([{ component: 'loadBalancer', kind: 'WebACLAssociation', name: `${prefix}-alb-waf`, state: 'Ready', message: `associated with web ACL ${f.acl.ARN}` }]);
    expect(calls.splice(0)).toEqual(['GetWebACLForResource', 'AssociateWebACL']);
    expect(await webAclOf(f.lb)).toBe(f.acl.ARN);
  });

  it('is idempotent: a new executor (another process) only reads', async () => {
    const fresh: string[] = [];
    const report = await new AwsGapActions({ clients: counting(sdk, fresh), logger: silentLogger() }).reconcile(desired(true), live);
    expect(report.components[0]).toMatchObject({ state: 'Ready' });
    expect(fresh).toEqual(['GetWebACLForResource']);
  });

  it('removes the association when the declaration names no web ACL', async () => {
    const report = await actions.reconcile(desired(false), live);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: 'no web ACL associated, as declared' });
    expect(calls.splice(0)).toEqual(['GetWebACLForResource', 'DisassociateWebACL']);
    expect(await webAclOf(f.lb)).toBeNull();
  });

  it('undoes the association before a deletion, and finds nothing left to do the second time', async () => {
    await actions.reconcile(desired(true), live);
    expect(await webAclOf(f.lb)).toBe(f.acl.ARN);
    calls.splice(0);
    expect(await actions.undo(live)).toEqual({ pending: 0 });
    expect(calls.splice(0)).toEqual(['GetWebACLForResource', 'DisassociateWebACL']);
    expect(await webAclOf(f.lb)).toBeNull();
    expect(await new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger() }).undo(live)).toEqual({ pending: 0 });
    expect(calls.splice(0)).toEqual(['GetWebACLForResource']);
  });
});
