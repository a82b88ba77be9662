import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { Containers } from '../../../charts/constructs/containers.js';
import { Instances } from '../../../charts/constructs/instances.js';
import { partition } from '../../../charts/constructs/iam.js';
import { LoadBalancer } from '../../../charts/constructs/load-balancer.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validApplicationBase, withInstances, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The application base edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validApplicationBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** The IAM objects (Roles, Policies, InstanceProfiles) the compute of `e` renders, bindings filled with fakes. */
function iamOf(e: MarketplaceEnvironment): { rendered: LooseObject[]; resolved: LooseObject[] } {
  const objects = renderWith<LooseObject>(e, (chart, ctx) => {
    const lb = e.spec.loadBalancer ? LoadBalancer.targetGroupNames(ctx) : undefined;
    const subnetNames = ['shop-subnet-private-a-0', 'shop-subnet-private-b-0'];
    if (e.spec.compute?.containers) {
      new Containers(chart, 'containers', { ctx, spec: e.spec.compute.containers, subnetNames, securityGroupName: 'shop-sg-app', kmsKeyName: 'shop-kms', targetGroupNames: lb, loadBalancerName: 'shop-alb' });
    } else {
      new Instances(chart, 'instances', { ctx, spec: e.spec.compute!.instances!, subnetNames, securityGroupName: 'shop-sg-app', targetGroupName: lb?.blue });
    }
  });
  const isIam = (o: RenderedObject) => o.apiVersion.startsWith('iam.');
  return { rendered: objects.filter(isIam), resolved: resolveWithFakes(objects).filter(isIam) as LooseObject[] };
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);
const statements = (policy: LooseObject) => (JSON.parse(policy.spec.policyDocument as string) as { Statement: Statement[] }).Statement;
/** `action → resources` of a policy. */
const grants = (policy: LooseObject) => Object.fromEntries(statements(policy).flatMap((s) => list(s.Action).map((a) => [a, list(s.Resource)])));
const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];

/** Every resource of every statement is exact, except the registry login (`*`) and the documented suffix wildcards. */
function expectLeastPrivilege(policies: readonly LooseObject[]): void {
  for (const policy of policies) {
    for (const s of statements(policy)) {
      for (const resource of list(s.Resource)) {
        if (resource === '*') expect([policy.metadata.name, s.Action]).toEqual([policy.metadata.name, 'ecr:GetAuthorizationToken']);
        else if (resource.includes('*')) expect(resource).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:\/shop\/test\/app:\*$|^arn:aws:s3:::shop-[a-z0-9-]+-test\/\*$/);
        expect(resource).not.toContain('{{value}}');
      }
    }
  }
}

describe('task execution and task roles of the application base', () => {
  const { rendered, resolved } = iamOf(env());
  const policy = (name: string) => named(resolved, 'Policy', `shop-policy-${name}`);

  it('matches the snapshot', () => {
    expect(rendered).toMatchSnapshot();
  });

  crdTest(rendered)('is valid against every ACK CRD schema set, before and after its bindings are filled', () => {
    expect(crdErrors(rendered)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders the execution role with five policies and the task role with one, each attached through policyRefs', () => {
    expect(named(rendered, 'Role', 'shop-role-task-exec').spec.policyRefs).toEqual(
      ['pull', 'logs', 'secrets', 'db-credentials', 'kms'].map((g) => ({ from: { name: `shop-policy-task-exec-${g}` } })),
    );
    expect(named(rendered, 'Role', 'shop-role-task').spec.policyRefs).toEqual([{ from: { name: 'shop-policy-task-buckets' } }]);
    expect(ofKind(rendered, 'Policy')).toHaveLength(6);
    for (const role of ofKind(rendered, 'Role')) {
      expect(JSON.parse(role.spec.assumeRolePolicyDocument as string)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Sid: 'AssumedBy', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    }
  });

  it('lets the execution role pull from exactly the environment repository (registry login is account-wide by AWS design)', () => {
    expect(grants(policy('task-exec-pull'))).toEqual({
      'ecr:GetAuthorizationToken': ['*'],
      'ecr:BatchCheckLayerAvailability': [`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:repository/shop-registry`],
      'ecr:BatchGetImage': [`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:repository/shop-registry`],
      'ecr:GetDownloadUrlForLayer': [`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:repository/shop-registry`],
    });
  });

  it('lets it write the streams of exactly the environment log group', () => {
    const logs = `arn:aws:logs:us-east-1:${FAKE_ACCOUNT}:log-group:/shop/test/app:*`;
    expect(grants(policy('task-exec-logs'))).toEqual({ 'logs:CreateLogStream': [logs], 'logs:PutLogEvents': [logs] });
  });

  it('lets it read exactly the referenced secrets (by name) and the database master secret (by ARN), and decrypt through Secrets Manager only', () => {
    expect(grants(policy('task-exec-secrets'))).toEqual({ 'secretsmanager:GetSecretValue': [`arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT}:secret:shop/test/jwt-??????`] });
    expect(grants(policy('task-exec-db-credentials'))).toEqual({ 'secretsmanager:GetSecretValue': [`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:dbcluster/shop-db`] });
    const [decrypt] = statements(policy('task-exec-kms'));
    expect(decrypt).toEqual({
      Sid: 'DecryptSecrets',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:key/shop-kms`,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });

  it('lets the task role read, write and list exactly the buckets the environment variables name (assets, not logs)', () => {
    expect(grants(policy('task-buckets'))).toEqual({
      's3:ListBucket': ['arn:aws:s3:::shop-assets-test'],
      's3:GetObject': ['arn:aws:s3:::shop-assets-test/*'],
      's3:PutObject': ['arn:aws:s3:::shop-assets-test/*'],
    });
  });

  it('names nothing with * but the registry login, and leaves no placeholder once resolved', () => {
    expectLeastPrivilege(ofKind(resolved, 'Policy'));
  });

  it('holds each policy with a late value back until it is known, reading it from the child it names', () => {
    const source = (name: string) => bindingsOf(named(rendered, 'Policy', `shop-policy-${name}`)).map((b) => [b.path, b.from.kind, b.fieldPath, b.required]);
    expect(source('task-exec-pull')).toEqual([['/spec/policyDocument', 'Repository', 'status.ackResourceMetadata.arn', true]]);
    expect(source('task-exec-logs')).toEqual([['/spec/policyDocument', 'LogGroup', 'status.ackResourceMetadata.ownerAccountID', true]]);
    expect(source('task-exec-secrets')).toEqual([['/spec/policyDocument', 'Secret', 'status.ackResourceMetadata.ownerAccountID', true]]);
    expect(source('task-exec-db-credentials')).toEqual([['/spec/policyDocument', 'DBCluster', 'status.masterUserSecret.secretARN', true]]);
    expect(source('task-exec-kms')).toEqual([['/spec/policyDocument', 'Key', 'status.ackResourceMetadata.arn', true]]);
    expect(source('task-buckets')).toEqual([]);
  });
});

describe('roles derived from smaller specs', () => {
  it('grants no ECR access for an external image, and no secret access without secrets', () => {
    const { rendered } = iamOf(
      env((m) => {
        const c = m.spec.compute.containers;
        c.image = { uri: 'public.ecr.aws/nginx/nginx:1.27' };
        delete c.blueGreen.greenImage;
        c.secrets = [];
      }),
    );
    expect(named(rendered, 'Role', 'shop-role-task-exec').spec.policyRefs).toEqual([{ from: { name: 'shop-policy-task-exec-logs' } }]);
  });

  it('renders no task role when no variable names a bucket, and the task definitions name none', () => {
    const e = env((m) => {
      const c = m.spec.compute.containers;
      c.environment = c.environment.filter((v: { fromOutput?: string }) => v.fromOutput !== 'bucketName');
    });
    const { rendered } = iamOf(e);
    expect(ofKind(rendered, 'Role').map((r) => r.metadata.name)).toEqual(['shop-role-task-exec']);
    const objects = renderWith<LooseObject>(e, (chart, ctx) => {
      new Containers(chart, 'c', { ctx, spec: e.spec.compute!.containers!, subnetNames: [], securityGroupName: 'sg', kmsKeyName: 'kms', targetGroupNames: LoadBalancer.targetGroupNames(ctx), loadBalancerName: 'alb' });
    });
    for (const td of ofKind(objects, 'TaskDefinition')) expect(td.spec).not.toHaveProperty('taskRoleRef');
  });

  it('grants each referenced secret once, and the environment key through S3 for a KMS bucket a variable names', () => {
    const { resolved } = iamOf(
      env((m) => {
        m.spec.secrets.push({ name: 'api-key' });
        const c = m.spec.compute.containers;
        c.secrets.push({ name: 'JWT_AGAIN', fromSecret: 'jwt' }, { name: 'API_KEY', fromSecret: 'api-key' });
        m.spec.storage.buckets.push({ name: 'uploads', purpose: 'files', encryption: 'KMS' });
        c.environment.push({ name: 'UPLOADS_BUCKET', fromOutput: 'bucketName', bucket: 'uploads' });
      }),
    );
    expect(grants(named(resolved, 'Policy', 'shop-policy-task-exec-secrets'))['secretsmanager:GetSecretValue']).toEqual([
      `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT}:secret:shop/test/jwt-??????`,
      `arn:aws:secretsmanager:us-east-1:${FAKE_ACCOUNT}:secret:shop/test/api-key-??????`,
    ]);
    expect(grants(named(resolved, 'Policy', 'shop-policy-task-buckets'))['s3:ListBucket']).toEqual(['arn:aws:s3:::shop-assets-test', 'arn:aws:s3:::shop-uploads-test']);
    expect(statements(named(resolved, 'Policy', 'shop-policy-task-kms'))).toEqual([
      {
        Sid: 'UseBucketKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:key/shop-kms`,
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      },
    ]);
    expectLeastPrivilege(ofKind(resolved, 'Policy'));
  });
});

describe('instance role and profile', () => {
  const { rendered, resolved } = iamOf(validateEnvironment(withInstances(validApplicationBase('shop'))));

  crdTest(rendered)('is valid against every ACK CRD schema set, before and after its bindings are filled', () => {
    expect(crdErrors(rendered)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('trusts EC2, attaches SSM core by ARN and its own log policy, and is wrapped in an instance profile', () => {
    const role = named(rendered, 'Role', 'shop-role-instance');
    expect(JSON.parse(role.spec.assumeRolePolicyDocument as string).Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
    expect(role.spec).toMatchObject({ name: 'shop-instance-test', policies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'], policyRefs: [{ from: { name: 'shop-policy-instance-logs' } }] });
    expect(named(rendered, 'InstanceProfile', 'shop-instance-profile').spec).toEqual(expect.objectContaining({ name: 'shop-instance-test', path: '/', roleRef: { from: { name: 'shop-role-instance' } } }));
    const logs = `arn:aws:logs:us-east-1:${FAKE_ACCOUNT}:log-group:/shop/test/app:*`;
    expect(grants(named(resolved, 'Policy', 'shop-policy-instance-logs'))).toEqual({ 'logs:CreateLogStream': [logs], 'logs:DescribeLogStreams': [logs], 'logs:PutLogEvents': [logs] });
    expectLeastPrivilege(ofKind(resolved, 'Policy'));
  });
});

describe('IAM names', () => {
  it('stay within AWS limits with the longest project (16) and suffix (12) the API allows', () => {
    const longest = (m: Manifest): Manifest => {
      Object.assign(m.spec, { project: 'abcdefghijklmnop', environmentSuffix: 'abcdefghijkl' });
      return m;
    };
    for (const e of [env(longest), validateEnvironment(longest(withInstances(validApplicationBase('shop'))))]) {
      const { rendered } = iamOf(e);
      for (const role of ofKind(rendered, 'Role')) expect((role.spec.name as string).length).toBeLessThanOrEqual(64);
      for (const o of [...ofKind(rendered, 'Policy'), ...ofKind(rendered, 'InstanceProfile')]) expect((o.spec.name as string).length).toBeLessThanOrEqual(128);
      expect(Math.max(...ofKind(rendered, 'Role').map((r) => (r.spec.name as string).length))).toBeGreaterThan(30);
    }
  });
});

describe('partition', () => {
  it('is aws, aws-cn or aws-us-gov by region', () => {
    expect([partition('us-east-2'), partition('cn-north-1'), partition('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});
