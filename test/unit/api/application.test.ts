import { httpRedirectsToHttps, validateEnvironment, type ListenersSpec } from '../../../api/index.js';
import { validApplicationBase, withInstances, type Manifest } from '../../fixtures/invalid-specs.js';
import { fieldsOf } from '../helpers/spec-fields.js';

function withTask(cpu: number, memory: number): Manifest {
  const m = validApplicationBase();
  Object.assign(m.spec.compute.containers, { cpu, memory });
  return m;
}

describe('application tier: defaults', () => {
  it('defaults the load balancer, its listeners and its target group', () => {
    const lb = validateEnvironment(validApplicationBase()).spec.loadBalancer!;
    expect(lb).toMatchObject({ scheme: 'internet-facing', subnetTier: 'public', idleTimeoutSeconds: 60, deletionProtection: false });
    expect(lb.listeners.http).toEqual({ port: 80 });
    expect(lb.listeners.https).toMatchObject({ port: 443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(lb.targetGroup).toEqual({
      deregistrationDelaySeconds: 300,
      healthCheck: { path: '/healthz', port: 'traffic-port', healthyThreshold: 5, unhealthyThreshold: 2, intervalSeconds: 30, timeoutSeconds: 5, matcher: '200' },
    });
  });

  it('defaults the Fargate service, its autoscaling, logs and the registry', () => {
    const m = validApplicationBase();
    delete m.spec.compute.containers.service;
    const { compute, registry } = validateEnvironment(m).spec;
    expect(compute?.containers).toMatchObject({
      containerInsights: false,
      architecture: 'X86_64',
      service: { desiredCount: 2, subnetTier: 'private', deploymentCircuitBreaker: { enable: true, rollback: true } },
      autoscaling: { scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 300 },
      logs: { retentionDays: 30 },
    });
    expect(registry).toEqual({ scanOnPush: true, tagImmutability: true, keepLastImages: 30 });
  });

  it('defaults a bare task to the smallest Fargate size and a bare blue/green to all traffic on blue', () => {
    const m = validApplicationBase();
    delete m.spec.compute.containers.cpu;
    delete m.spec.compute.containers.memory;
    m.spec.compute.containers.blueGreen = {};
    const containers = validateEnvironment(m).spec.compute!.containers!;
    expect([containers.cpu, containers.memory]).toEqual([256, 512]);
    expect(containers.blueGreen).toEqual({ blueWeight: 100, greenWeight: 0 });
  });

  it('accepts the instances form and defaults it (desired capacity left to minSize)', () => {
    const instances = validateEnvironment(withInstances(validApplicationBase())).spec.compute!.instances!;
    expect(instances).toMatchObject({ detailedMonitoring: false, subnetTier: 'private', healthCheckGracePeriodSeconds: 300 });
    expect(instances.desiredCapacity).toBeUndefined();
  });
});

describe('application tier: valid variants', () => {
  it.each<[string, (m: Manifest) => void]>([
    ['an existing certificate of the region', (m) => { m.spec.loadBalancer.listeners.https.certificate = { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' }; }],
    ['an HTTP-only load balancer', (m) => { m.spec.loadBalancer.listeners = { http: {} }; m.spec.securityGroups.loadBalancer.ports = [80]; }],
    ['an internal load balancer in private subnets', (m) => { Object.assign(m.spec.loadBalancer, { scheme: 'internal', subnetTier: 'private' }); }],
    ['containers without a load balancer', (m) => { delete m.spec.loadBalancer; delete m.spec.compute.containers.blueGreen; m.spec.compute.containers.environment.pop(); }],
    ['an external image and no registry', (m) => { delete m.spec.registry; m.spec.compute.containers.image = { uri: 'public.ecr.aws/nginx/nginx:1.27' }; delete m.spec.compute.containers.blueGreen.greenImage; }],
    ['containers in public subnets without NAT', (m) => { m.spec.network.natGateways = 'None'; m.spec.compute.containers.service.subnetTier = 'public'; }],
    ['instances in private subnets without NAT (a baked AMI)', (m) => { withInstances(m); m.spec.network.natGateways = 'None'; }],
    ['a fixed-size service (no autoscaling)', (m) => { delete m.spec.compute.containers.autoscaling; m.spec.compute.containers.service.desiredCount = 0; }],
  ])('accepts %s', (_name, change) => {
    const m = validApplicationBase();
    change(m);
    expect(fieldsOf(m)).toEqual([]);
  });
});

describe('application tier: Fargate task sizes', () => {
  it.each([
    [256, 512], [256, 2048], [512, 1024], [512, 4096], [1024, 2048], [1024, 8192], [2048, 4096], [2048, 16384],
    [4096, 8192], [4096, 30720], [8192, 16384], [8192, 61440], [16384, 32768], [16384, 122880],
  ])('accepts cpu %d with memory %d', (cpu, memory) => {
    expect(fieldsOf(withTask(cpu, memory))).toEqual([]);
  });

  it.each([
    [256, 1536], [256, 4096], [512, 512], [512, 5120], [1024, 9216], [2048, 3072], [4096, 31744], [8192, 18432], [16384, 36864], [16384, 131072],
  ])('rejects cpu %d with memory %d', (cpu, memory) => {
    expect(fieldsOf(withTask(cpu, memory))).toContain('spec.compute.containers.memory');
  });
});

describe('httpRedirectsToHttps', () => {
  const https = { port: 443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate: { domainName: 'shop.example.com' } };
  it.each<[string, ListenersSpec, boolean]>([
    ['redirects by default when there is an HTTPS listener', { http: { port: 80 }, https }, true],
    ['forwards when told not to redirect', { http: { port: 80, redirectToHttps: false }, https }, false],
    ['forwards without an HTTPS listener', { http: { port: 80 } }, false],
  ])('%s', (_name, listeners, expected) => {
    expect(httpRedirectsToHttps(listeners)).toBe(expected);
  });
});
