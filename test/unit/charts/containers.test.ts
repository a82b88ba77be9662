import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { Containers } from '../../../charts/constructs/containers.js';
import { LoadBalancer } from '../../../charts/constructs/load-balancer.js';
import { CONTAINER_NAME } from '../../../charts/constructs/task-definition.js';
import { renderEnvironment } from '../../../charts/index.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validApplicationBase, validIdentityBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const SUBNETS = ['shop-subnet-private-a-0', 'shop-subnet-private-b-0'];

/** The application base (blue/green, every kind of output, Fargate 512/1024), edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validApplicationBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the Containers of `e`, wired as the chart wires them. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new Containers(chart, 'containers', {
      ctx,
      spec: e.spec.compute!.containers!,
      subnetNames: SUBNETS,
      securityGroupName: 'shop-sg-app',
      kmsKeyName: 'shop-kms',
      ...(e.spec.loadBalancer ? { targetGroupNames: LoadBalancer.targetGroupNames(ctx), loadBalancerName: LoadBalancer.loadBalancerName(ctx) } : {}),
    });
  });
}

const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const counts = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));
type Container = { name: string; image?: string; cpu: number; environment: { name: string; value?: string }[]; secrets: { name: string; valueFrom?: string }[]; [k: string]: unknown };
const container = (o: LooseObject) => (o.spec.containerDefinitions as Container[])[0]!;

describe('Containers, blue/green with autoscaling (the application base)', () => {
  const e = env();
  const objects = render(e);
  const resolved = resolveWithFakes(objects) as LooseObject[];

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders a cluster, a log group, two task definitions and services, their autoscaling, and the derived roles', () => {
    expect(counts(objects)).toEqual({ Cluster: 1, LogGroup: 1, Policy: 6, Role: 2, ScalableTarget: 2, ScalingPolicy: 4, Service: 2, TaskDefinition: 2 });
    for (const o of objects) expect(o.metadata.labels['app.kubernetes.io/component']).toBe('compute');
  });

  it('sizes the Fargate tasks from the spec (512 CPU units, 1024 MiB, as the strings ECS takes)', () => {
    for (const td of ofKind(objects, 'TaskDefinition')) {
      expect(td.spec).toMatchObject({ cpu: '512', memory: '1024', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' } });
      expect(container(td)).toMatchObject({ name: CONTAINER_NAME, cpu: 512, essential: true, portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }] });
    }
  });

  it('runs image (v1) in blue and greenImage (v2) in green, from the environment repository', () => {
    const tag = (colour: string) => bindingsOf(named(objects, 'TaskDefinition', `shop-task-${colour}`)).find((b) => b.path === '/spec/containerDefinitions/0/image');
    expect(tag('blue')).toEqual({ path: '/spec/containerDefinitions/0/image', from: { apiVersion: 'ecr.services.k8s.aws/v1alpha1', kind: 'Repository', name: 'shop-registry' }, fieldPath: 'status.repositoryURI', template: '{{value}}:v1', required: true });
    expect(tag('green')?.template).toBe('{{value}}:v2');
    expect(container(named(resolved, 'TaskDefinition', 'shop-task-green')).image).toBe(`${FAKE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-registry:v2`);
  });

  it('renders every environment variable, each literal or known value in place and each AWS value through a required binding at its own index', () => {
    const expected: Record<string, { value: string } | { kind: string; fieldPath: string }> = {
      LOG_LEVEL: { value: 'INFO' },
      AWS_REGION: { value: 'us-east-1' },
      ASSETS_BUCKET: { value: 'shop-assets-test' },
      DB_HOST: { kind: 'DBCluster', fieldPath: 'status.endpoint' },
      DB_READER_HOST: { kind: 'DBCluster', fieldPath: 'status.readerEndpoint' },
      CACHE_HOST: { kind: 'ReplicationGroup', fieldPath: 'status.configurationEndpoint.address' },
      CDN_DOMAIN: { kind: 'Distribution', fieldPath: 'status.domainName' },
      PUBLIC_HOST: { kind: 'LoadBalancer', fieldPath: 'status.dnsName' },
    };
    for (const td of ofKind(objects, 'TaskDefinition')) {
      const environment = container(td).environment;
      expect(environment.map((v) => v.name)).toEqual(Object.keys(expected).sort());
      const bindings = bindingsOf(td);
      environment.forEach((variable, i) => {
        const want = expected[variable.name]!;
        const binding = bindings.find((b) => b.path === `/spec/containerDefinitions/0/environment/${i}/value`);
        if ('value' in want) {
          expect([variable.name, variable.value, binding]).toEqual([variable.name, want.value, undefined]);
        } else {
          expect([variable.name, variable.value]).toEqual([variable.name, undefined]);
          expect(binding).toMatchObject({ from: { kind: want.kind }, fieldPath: want.fieldPath, required: true });
        }
      });
    }
  });

  it('reads the load balancer DNS name from the load balancer the load-balancer construct renders', () => {
    const binding = bindingsOf(named(objects, 'TaskDefinition', 'shop-task-blue')).find((b) => b.from.kind === 'LoadBalancer');
    expect(binding?.from).toEqual({ apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', name: 'shop-alb' });
  });

  it('injects secrets by ARN only: the Secret child ARN, or the RDS-managed secret with its JSON key; no value anywhere', () => {
    for (const td of ofKind(objects, 'TaskDefinition')) {
      const secrets = container(td).secrets;
      expect(secrets).toEqual([{ name: 'DB_PASSWORD' }, { name: 'JWT_SECRET' }]);
      const bindings = bindingsOf(td);
      expect(bindings.find((b) => b.path === '/spec/containerDefinitions/0/secrets/0/valueFrom')).toEqual({
        path: '/spec/containerDefinitions/0/secrets/0/valueFrom',
        from: { apiVersion: 'rds.services.k8s.aws/v1alpha1', kind: 'DBCluster', name: 'shop-db' },
        fieldPath: 'status.masterUserSecret.secretARN',
        template: '{{value}}:password::',
        required: true,
      });
      expect(bindings.find((b) => b.path === '/spec/containerDefinitions/0/secrets/1/valueFrom')).toEqual({
        path: '/spec/containerDefinitions/0/secrets/1/valueFrom',
        from: { apiVersion: 'secretsmanager.services.k8s.aws/v1alpha1', kind: 'Secret', name: 'shop-secret-jwt' },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: true,
      });
    }
    for (const td of ofKind(resolved, 'TaskDefinition')) {
      for (const s of container(td).secrets) expect(Object.keys(s).sort()).toEqual(['name', 'valueFrom']);
      expect(container(td).secrets.map((s) => s.valueFrom)).toEqual([`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:dbcluster/shop-db:password::`, `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:secret/shop-secret-jwt`]);
    }
  });

  it('holds every task definition back until all its values are known, the execution role ARN included', () => {
    for (const td of ofKind(objects, 'TaskDefinition')) {
      const bindings = bindingsOf(td);
      expect(bindings.every((b) => b.required)).toBe(true);
      expect(bindings.find((b) => b.path === '/spec/executionRoleARN')).toEqual({
        path: '/spec/executionRoleARN',
        from: { apiVersion: 'iam.services.k8s.aws/v1alpha1', kind: 'Role', name: 'shop-role-task-exec' },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: true,
      });
      expect(td.spec.taskRoleRef).toEqual({ from: { name: 'shop-role-task' } });
    }
  });

  it('logs to the environment log group, one stream prefix per colour', () => {
    expect(only(objects, 'LogGroup').spec).toMatchObject({ name: '/shop/test/app', retentionDays: 30 });
    for (const colour of ['blue', 'green']) {
      expect(container(named(objects, 'TaskDefinition', `shop-task-${colour}`)).logConfiguration).toEqual({
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/shop/test/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': colour, mode: 'non-blocking' },
      });
    }
  });

  it('runs 2 tasks per service in the given subnets with the app security group, each service in its own target group', () => {
    for (const [colour, group] of [['blue', 'shop-tg'], ['green', 'shop-tg-green']] as const) {
      const service = named(objects, 'Service', `shop-service-${colour}`);
      expect(service.spec).toMatchObject({
        name: `shop-app-${colour}-test`,
        clusterRef: { from: { name: 'shop-cluster' } },
        taskDefinitionRef: { from: { name: `shop-task-${colour}` } },
        launchType: 'FARGATE',
        desiredCount: 2,
        networkConfiguration: {
          awsVPCConfiguration: { subnetRefs: SUBNETS.map((name) => ({ from: { name } })), securityGroupRefs: [{ from: { name: 'shop-sg-app' } }], assignPublicIP: 'DISABLED' },
        },
        loadBalancers: [{ targetGroupRef: { from: { name: group } }, containerName: CONTAINER_NAME, containerPort: 8080 }],
        // healthyThreshold 5 × interval 30 s.
        healthCheckGracePeriodSeconds: 150,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
      });
    }
  });

  it('scales each service between 2 and 10 tasks on CPU 70 % and memory 80 %, with 300 s cooldowns', () => {
    for (const colour of ['blue', 'green']) {
      const resourceID = `service/shop-cluster-test/shop-app-${colour}-test`;
      expect(named(objects, 'ScalableTarget', `shop-scaling-${colour}`).spec).toEqual({
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceID,
        minCapacity: 2,
        maxCapacity: 10,
      });
      const policy = (metric: string) => named(objects, 'ScalingPolicy', `shop-scaling-${colour}-${metric}`).spec;
      expect(policy('cpu')).toMatchObject({
        policyType: 'TargetTrackingScaling',
        resourceID,
        targetTrackingScalingPolicyConfiguration: { targetValue: 70, predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' }, scaleInCooldown: 300, scaleOutCooldown: 300 },
      });
      expect(policy('memory')).toMatchObject({
        targetTrackingScalingPolicyConfiguration: { targetValue: 80, predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageMemoryUtilization' } },
      });
    }
  });

  it('sets the scalable target role to the ECS service-linked role of the account the service reports, and holds policies until the target exists', () => {
    const target = named(objects, 'ScalableTarget', 'shop-scaling-blue');
    expect(bindingsOf(target)).toEqual([
      {
        path: '/spec/roleARN',
        from: { apiVersion: 'ecs.services.k8s.aws/v1alpha1', kind: 'Service', name: 'shop-service-blue' },
        fieldPath: 'status.ackResourceMetadata.ownerAccountID',
        template: 'arn:aws:iam::{{value}}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
        required: true,
      },
    ]);
    expect(named(resolved, 'ScalableTarget', 'shop-scaling-blue').spec.roleARN).toBe(
      `arn:aws:iam::${FAKE_ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    );
    const policy = named(objects, 'ScalingPolicy', 'shop-scaling-blue-cpu');
    expect(bindingsOf(policy)).toEqual([{ path: '/spec/resourceID', from: { apiVersion: 'applicationautoscaling.services.k8s.aws/v1alpha1', kind: 'ScalableTarget', name: 'shop-scaling-blue' }, fieldPath: 'status.ackResourceMetadata.ownerAccountID', template: policy.spec.resourceID, required: true }]);
    // The binding only waits: the resolved value is the rendered one.
    expect(named(resolved, 'ScalingPolicy', 'shop-scaling-blue-cpu').spec.resourceID).toBe(policy.spec.resourceID);
  });

  it('declares the cluster, service and log group names as outputs', () => {
    const outputs = (o: RenderedObject) => JSON.parse(o.metadata.annotations[OUTPUTS_ANNOTATION] ?? '[]') as unknown[];
    expect(outputs(only(objects, 'Cluster'))).toEqual([{ output: '/compute/clusterName', value: 'shop-cluster-test' }]);
    expect(outputs(named(objects, 'Service', 'shop-service-blue'))).toEqual([{ output: '/compute/serviceNames/0', value: 'shop-app-blue-test' }]);
    expect(outputs(named(objects, 'Service', 'shop-service-green'))).toEqual([{ output: '/compute/serviceNames/1', value: 'shop-app-green-test' }]);
    expect(outputs(only(objects, 'LogGroup'))).toEqual([{ output: '/compute/logGroupName', value: '/shop/test/app' }]);
  });

  it('turns container insights off by default', () => {
    expect(only(objects, 'Cluster').spec.settings).toEqual([{ name: 'containerInsights', value: 'disabled' }]);
  });
});

describe('Containers, one service without a load balancer, external image, fixed count (variant)', () => {
  const e = env((m) => {
    delete m.spec.loadBalancer;
    const c = m.spec.compute.containers;
    delete c.blueGreen;
    delete c.autoscaling;
    c.image = { uri: 'public.ecr.aws/nginx/nginx:1.27' };
    c.environment = c.environment.filter((v: { fromOutput?: string }) => v.fromOutput !== 'loadBalancerDNSName');
    Object.assign(c, { containerInsights: true, architecture: 'ARM64', service: { desiredCount: 3, subnetTier: 'private' }, logs: { retentionDays: 7 } });
  });
  const objects = render(e);

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolveWithFakes(objects))).toEqual([]);
  });

  it('renders one unnamed colour and no autoscaling', () => {
    expect(counts(objects)).toMatchObject({ Cluster: 1, LogGroup: 1, Service: 1, TaskDefinition: 1 });
    expect(ofKind(objects, 'ScalableTarget')).toHaveLength(0);
    expect(ofKind(objects, 'ScalingPolicy')).toHaveLength(0);
    expect(named(objects, 'Service', 'shop-service').spec).toMatchObject({ name: 'shop-app-test', desiredCount: 3 });
    expect(named(objects, 'TaskDefinition', 'shop-task').spec).toMatchObject({ family: 'shop-app-test', runtimePlatform: { cpuArchitecture: 'ARM64' } });
  });

  it('uses the external image as it is, without a repository binding', () => {
    const td = only(objects, 'TaskDefinition');
    expect(container(td).image).toBe('public.ecr.aws/nginx/nginx:1.27');
    expect(bindingsOf(td).some((b) => b.from.kind === 'Repository')).toBe(false);
  });

  it('registers in no target group and sets no health check grace period, but keeps the app security group', () => {
    const service = only(objects, 'Service');
    expect(service.spec).not.toHaveProperty('loadBalancers');
    expect(service.spec).not.toHaveProperty('healthCheckGracePeriodSeconds');
    expect(service.spec.networkConfiguration).toMatchObject({ awsVPCConfiguration: { securityGroupRefs: [{ from: { name: 'shop-sg-app' } }] } });
  });

  it('follows containerInsights and logs.retentionDays', () => {
    expect(only(objects, 'Cluster').spec.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    expect(only(objects, 'LogGroup').spec.retentionDays).toBe(7);
  });

  it('orders environment variables and secrets by name, whatever the spec order', () => {
    const reversed = render(env((m) => {
      const c = m.spec.compute.containers;
      c.environment.reverse();
      c.secrets.reverse();
    }));
    const names = (objs: LooseObject[]) => ofKind(objs, 'TaskDefinition').map((td) => [container(td).environment, container(td).secrets]);
    expect(names(reversed)).toEqual(names(render(env())));
  });
});

describe('Containers reading the user pool (the identity base)', () => {
  const m = validIdentityBase('shop');
  m.metadata.namespace = 'shop';
  const td = named(render(validateEnvironment(m)), 'TaskDefinition', 'shop-task-blue');

  it('reads the pool id from the UserPool and the client id from the environment\'s own outputs, both required', () => {
    const environment = container(td).environment;
    const bindingOf = (name: string) => bindingsOf(td).find((b) => b.path === `/spec/containerDefinitions/0/environment/${environment.findIndex((v) => v.name === name)}/value`);
    expect(bindingOf('COGNITO_USER_POOL_ID')).toMatchObject({ from: { kind: 'UserPool', name: 'shop-users' }, fieldPath: 'status.id', required: true });
    // The operator creates the client (no ACK kind) and writes its id to status.outputs.identity.clients[0].
    expect(bindingOf('COGNITO_CLIENT_ID')).toMatchObject({ from: { kind: 'MarketplaceEnvironment', name: 'shop' }, fieldPath: 'status.outputs.identity.clients.0.clientID', required: true });
  });

  it('injects the client secret through the Secret of source CognitoClient, by ARN', () => {
    const secret = container(td).secrets.find((x) => x.name === 'COGNITO_CLIENT_SECRET');
    expect(secret).toBeDefined();
    expect(bindingsOf(td).some((b) => b.path === `/spec/containerDefinitions/0/secrets/${container(td).secrets.indexOf(secret!)}/valueFrom` && b.from.name === 'shop-secret-cognito-web')).toBe(true);
  });
});

describe('Containers in the whole chart', () => {
  const subnetNames = (service: LooseObject) => (service.spec.networkConfiguration as { awsVPCConfiguration: { subnetRefs: { from: { name: string } }[] } }).awsVPCConfiguration.subnetRefs.map((r) => r.from.name);

  it('places the tasks in the private subnets of every zone, without public IPs', () => {
    const objects = renderEnvironment(env()) as LooseObject[];
    for (const service of ofKind(objects, 'Service')) {
      expect(subnetNames(service)).toEqual(['shop-subnet-private-a-0', 'shop-subnet-private-b-0']);
      expect(service.spec.networkConfiguration).toMatchObject({ awsVPCConfiguration: { assignPublicIP: 'DISABLED', securityGroupRefs: [{ from: { name: 'shop-sg-app' } }] } });
    }
  });

  it('places the tasks in the public subnets with public IPs in the public tier', () => {
    const objects = renderEnvironment(env((m) => (m.spec.compute.containers.service = { desiredCount: 2, subnetTier: 'public' }))) as LooseObject[];
    for (const service of ofKind(objects, 'Service')) {
      expect(subnetNames(service)).toEqual(['shop-subnet-public-a-0', 'shop-subnet-public-b-0']);
      expect(service.spec.networkConfiguration).toMatchObject({ awsVPCConfiguration: { assignPublicIP: 'ENABLED' } });
    }
  });

  it('wires the services to the target groups the load balancer renders', () => {
    const objects = renderEnvironment(env());
    const groups = ofKind(objects, 'TargetGroup').map((g) => g.metadata.name).sort();
    const used = ofKind(objects as LooseObject[], 'Service').map((s) => (s.spec.loadBalancers as { targetGroupRef: { from: { name: string } } }[])[0]!.targetGroupRef.from.name).sort();
    expect(used).toEqual(groups);
  });
});

describe('ACK schema validation used above', () => {
  const td = named(render(env()), 'TaskDefinition', 'shop-task-blue');

  crdTest([td])('rejects a field the ECS CRDs do not declare (the closed-schema check is not vacuous)', () => {
    const broken = { ...td, spec: { ...td.spec, notAField: true } };
    expect(crdErrors([broken]).join('\n')).toContain('notAField');
  });
});
