/**
 * The tags moto's own API holds on given EC2 resources and KMS keys (test/e2e/faults-cluster.test.ts, fault g: the
 * last accepted spec's tags must reach AWS, whatever the order of the concurrent updates). Read with boto3 in the moto
 * virtualenv, as helpers/moto-census.ts does.
 */
import { botoScript } from './moto-scripts.js';

const TAGS = `
import boto3, json, sys
endpoint, region, op, arg = sys.argv[1:5]
kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')
ids = json.loads(arg)
out = {i: {} for i in ids['ec2'] + ids['kms']}
ec2, kms = boto3.client('ec2', **kw), boto3.client('kms', **kw)
if ids['ec2']:
    for t in ec2.describe_tags(Filters=[{'Name': 'resource-id', 'Values': ids['ec2']}])['Tags']:
        out[t['ResourceId']][t['Key']] = t['Value']
for k in ids['kms']:
    for t in kms.list_resource_tags(KeyId=k).get('Tags', []):
        out[k][t['TagKey']] = t['TagValue']
print(json.dumps(out))
`;

/** Tags by resource id (every id asked for is present, with `{}` when it has no tag). */
export async function motoTags(endpoint: string, ids: { ec2: readonly string[]; kms: readonly string[] }, region = 'us-east-1'): Promise<Record<string, Record<string, string>>> {
  return botoScript(TAGS, endpoint, region, 120_000)<Record<string, Record<string, string>>>('tags', JSON.stringify(ids));
}
