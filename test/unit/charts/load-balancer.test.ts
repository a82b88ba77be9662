import { validateEnvironment } from '../../../api/index.js';
import { AWS_GAPS_ANNOTATION, type WebAclAssociation } from '../../../charts/aws-gaps.js';
import { EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { IGNORE_FIELD_DRIFT_ANNOTATION, LoadBalancer } from '../../../charts/constructs/load-balancer.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { bindingsOf, resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { validApplicationBase, withInstances, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { differences, named, ofKind, only, type LooseObject } from '../helpers/render-construct.js';

const ELBV2 = 'elbv2.services.k8s.aws/v1alpha1';
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const LB_KINDS = new Set(['LoadBalancer', 'Listener', 'TargetGroup', 'Certificate']);

/** The application base (blue/green 90/10, HTTP redirected to HTTPS, a requested certificate, a REGIONAL web ACL), edited. */
function manifest(edit: (m: Manifest) => void = () => {}): Manifest {
  const m = validApplicationBase('shop');
  edit(m);
  return m;
}

/** Every child of the environment. */
const renderAll = (m: Manifest): RenderedObject[] => renderEnvironment(validateEnvironment(m));

/** The children of the load balancer component. */
const render = (m: Manifest): LooseObject[] => renderAll(m).filter((o) => o.metadata.labels['app.kubernetes.io/component'] === 'loadBalancer') as LooseObject[];

/**
 * A target group's attributes: held back (not rendered) until the group reports its own ARN, then set. The elbv2
 * controller records no ARN for a group created with attributes until its next resync (docs/ack-facts.md).
 */
function resolvedAttributes(group: LooseObject): unknown {
  expect(group.spec.attributes).toBeUndefined();
  const self = (arn?: string) => (_apiVersion: string, kind: string, name: string) =>
    kind === group.kind && name === group.metadata.name && arn ? { status: { ackResourceMetadata: { arn } } } : undefined;
  expect(resolveBindings(group, self()).object.spec?.attributes).toBeUndefined();
  return resolveBindings(group, self('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1')).object.spec?.attributes;
}

const singleTargetGroup = (m: Manifest) => delete m.spec.compute.containers.blueGreen;
const outputsOf = (o: RenderedObject) => JSON.parse(o.metadata.annotations[OUTPUTS_ANNOTATION] ?? '[]');
const gapsOf = (o: RenderedObject) => JSON.parse(o.metadata.annotations[AWS_GAPS_ANNOTATION] ?? '[]') as WebAclAssociation[];
const ref = (name: string) => ({ from: { name } });
const arnBinding = (path: string, kind: string, name: string) => ({ path, from: { apiVersion: kind === 'Certificate' ? 'acm.services.k8s.aws/v1alpha1' : ELBV2, kind, name }, fieldPath: 'status.ackResourceMetadata.arn', required: true });

describe('LoadBalancer, blue/green 90/10 behind HTTPS with a requested certificate and a REGIONAL web ACL', () => {
  const objs = render(manifest());
  const lb = only(objs, 'LoadBalancer');
  const http = named(objs, 'Listener', 'shop-listener-http');
  const https = named(objs, 'Listener', 'shop-listener-https');

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one load balancer, two listeners, two target groups, one certificate, all labelled loadBalancer in the region', () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Certificate/shop-certificate',
      'Listener/shop-listener-http',
      'Listener/shop-listener-https',
      'LoadBalancer/shop-alb',
      'TargetGroup/shop-tg',
      'TargetGroup/shop-tg-green',
    ]);
    for (const o of objs) {
      expect(o.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
      expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBeUndefined();
    }
    expect(JSON.stringify(render(manifest()))).toBe(JSON.stringify(objs));
  });

  test('an internet-facing ALB in the public subnets, with the load-balancer security group and its attributes', () => {
    expect(lb.spec).toMatchObject({
      name: 'shop-lb-test',
      type: 'application',
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
      enablePrefixForIPv6SourceNAT: 'off',
      subnetRefs: [ref('shop-subnet-public-a-0'), ref('shop-subnet-public-b-0')],
      securityGroupRefs: [ref('shop-sg-lb')],
      attributes: [
        { key: 'idle_timeout.timeout_seconds', value: '60' },
        { key: 'deletion_protection.enabled', value: 'false' },
        { key: 'access_logs.s3.enabled', value: 'false' },
      ],
    });
    expect(bindingsOf(lb)).toEqual([]);
    expect(lb.spec.tags).toContainEqual({ key: 'Name', value: 'shop-lb-test' });
    expect(outputsOf(lb)).toEqual([
      { output: '/loadBalancer/dnsName', fieldPath: 'status.dnsName' },
      { output: '/loadBalancer/canonicalHostedZoneID', fieldPath: 'status.canonicalHostedZoneID' },
      { output: '/loadBalancer/arn', fieldPath: 'status.ackResourceMetadata.arn' },
    ]);
  });

  test('blue and green target groups: HTTP to the app port, ip targets, the health check and deregistration delay of the spec', () => {
    const groups = ofKind(objs, 'TargetGroup');
    expect(groups.map((g) => [g.metadata.name, g.spec.name, outputsOf(g)[0].output])).toEqual([
      ['shop-tg', 'shop-tg-test', '/loadBalancer/targetGroupARN'],
      ['shop-tg-green', 'shop-gr-test', '/loadBalancer/greenTargetGroupARN'],
    ]);
    for (const g of groups) {
      expect(g.spec).toMatchObject({
        targetType: 'ip',
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: 8080,
        vpcRef: ref('shop-vpc'),
        healthCheckEnabled: true,
        healthCheckProtocol: 'HTTP',
        healthCheckPath: '/healthz',
        healthCheckPort: 'traffic-port',
        healthCheckIntervalSeconds: 30,
        healthCheckTimeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        matcher: { httpCode: '200' },
      });
      expect(resolvedAttributes(g)).toEqual([{ key: 'deregistration_delay.timeout_seconds', value: '300' }]);
      expect(g.spec.targets).toBeUndefined();
      expect(g.metadata.annotations[IGNORE_FIELD_DRIFT_ANNOTATION]).toBe('spec.targets');
    }
  });

  test('HTTP answers with a permanent redirect to the HTTPS port, in the form ELB reports it', () => {
    expect(http.spec).toMatchObject({ loadBalancerRef: ref('shop-alb'), port: 80, protocol: 'HTTP' });
    expect(http.spec.defaultActions).toEqual([
      { order: 1, type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' } },
    ]);
    expect(bindingsOf(http)).toEqual([]);
  });

  test('HTTPS forwards 90/10 to blue and green, the target group ARNs bound late', () => {
    expect(https.spec).toMatchObject({ loadBalancerRef: ref('shop-alb'), port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(https.spec.defaultActions).toEqual([
      { order: 1, type: 'forward', forwardConfig: { targetGroups: [{ weight: 90 }, { weight: 10 }], targetGroupStickinessConfig: { enabled: false } } },
    ]);
    expect(bindingsOf(https)).toEqual([
      arnBinding('/spec/defaultActions/0/forwardConfig/targetGroups/0/targetGroupARN', 'TargetGroup', 'shop-tg'),
      arnBinding('/spec/defaultActions/0/forwardConfig/targetGroups/1/targetGroupARN', 'TargetGroup', 'shop-tg-green'),
      arnBinding('/spec/certificates/0/certificateARN', 'Certificate', 'shop-certificate'),
    ]);
    // No targetGroupRef: the elbv2-controller drops references from the actions it compares (see load-balancer.ts).
    expect(JSON.stringify(https.spec)).not.toContain('targetGroupRef');
  });

  test('the HTTPS listener is held back until the certificate has an ARN, then gets it', () => {
    const arns: Record<string, string> = { 'shop-tg': 'arn:tg/blue', 'shop-tg-green': 'arn:tg/green' };
    const status = (arn?: string) => (arn ? { status: { ackResourceMetadata: { arn } } } : { status: {} });
    const pending = resolveBindings(https, (_, kind, name) => (kind === 'Certificate' ? status() : status(arns[name])));
    expect(pending.waitingFor.map((b) => `${b.from.kind}/${b.from.name}`)).toEqual(['Certificate/shop-certificate']);
    const resolved = resolveBindings(https, (_, kind, name) => status(kind === 'Certificate' ? CERT_ARN : arns[name]));
    expect(resolved.waitingFor).toEqual([]);
    const spec = resolved.object.spec as Manifest;
    expect(spec.certificates).toEqual([{ certificateARN: CERT_ARN }]);
    expect(spec.defaultActions[0].forwardConfig.targetGroups).toEqual([
      { weight: 90, targetGroupARN: 'arn:tg/blue' },
      { weight: 10, targetGroupARN: 'arn:tg/green' },
    ]);
  });

  test('declares the association of the REGIONAL web ACL with the load balancer', () => {
    expect(gapsOf(lb)).toEqual([
      {
        type: 'WebACLAssociation',
        name: 'shop-alb-waf',
        resourceARN: { from: { apiVersion: ELBV2, kind: 'LoadBalancer', name: 'shop-alb' }, fieldPath: 'status.ackResourceMetadata.arn' },
        webACLARN: { from: { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: 'shop-waf' }, fieldPath: 'status.ackResourceMetadata.arn' },
      },
    ]);
  });

  test('exposes the target group names the compute registers in', () => {
    expect(LoadBalancer.targetGroupNames(new EnvironmentContext(validateEnvironment(manifest())))).toEqual({ blue: 'shop-tg', green: 'shop-tg-green' });
    expect(LoadBalancer.targetGroupNames(new EnvironmentContext(validateEnvironment(manifest(singleTargetGroup))))).toEqual({ blue: 'shop-tg' });
    expect(LoadBalancer.loadBalancerName(new EnvironmentContext(validateEnvironment(manifest())))).toBe(lb.metadata.name);
  });

  crdTest(objs)('valid against the ACK CRDs (closed schemas)', () => {
    expect(schemaSets().length).toBeGreaterThan(0);
    expect(crdErrors(objs)).toEqual([]);
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(https);
    broken.spec.defaultActions[0].forwardConfig.targetGroups[0].targetGroupName = 'shop-tg';
    const sets = schemaSets().filter((s) => s.has(broken));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('LoadBalancer, blue/green weights', () => {
  test('changing the weights changes only the weights, in the whole environment', () => {
    const before = renderAll(manifest());
    const after = renderAll(manifest((m) => Object.assign(m.spec.compute.containers.blueGreen, { blueWeight: 40, greenWeight: 60 })));
    expect(differences(before, after)).toEqual([
      'Listener shop-listener-https /spec/defaultActions/0/forwardConfig/targetGroups/0/weight',
      'Listener shop-listener-https /spec/defaultActions/0/forwardConfig/targetGroups/1/weight',
    ]);
    expect(named(after, 'Listener', 'shop-listener-https').spec?.defaultActions).toEqual([
      { order: 1, type: 'forward', forwardConfig: { targetGroups: [{ weight: 40 }, { weight: 60 }], targetGroupStickinessConfig: { enabled: false } } },
    ]);
  });

  test('every forwarding listener splits by weight: HTTP too when it does not redirect', () => {
    const objs = render(manifest((m) => (m.spec.loadBalancer.listeners.http.redirectToHttps = false)));
    for (const l of ofKind(objs, 'Listener')) expect(l.spec.defaultActions[0].forwardConfig.targetGroups).toEqual([{ weight: 90 }, { weight: 10 }]);
  });
});

describe('LoadBalancer, one target group (no blue/green)', () => {
  const objs = render(manifest(singleTargetGroup));
  const https = named(objs, 'Listener', 'shop-listener-https');

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one target group, the blue one, so turning blue/green on later keeps it', () => {
    expect(ofKind(objs, 'TargetGroup').map((g) => [g.metadata.name, g.spec.name])).toEqual([['shop-tg', 'shop-tg-test']]);
    expect(named(render(manifest()), 'TargetGroup', 'shop-tg').spec).toEqual(only(objs, 'TargetGroup').spec);
  });

  test('forwards to it both by targetGroupARN and in the forward config with weight 1, as ELB reports a simple forward', () => {
    expect(https.spec.defaultActions).toEqual([
      { order: 1, type: 'forward', forwardConfig: { targetGroups: [{ weight: 1 }], targetGroupStickinessConfig: { enabled: false } } },
    ]);
    expect(bindingsOf(https).slice(0, 2)).toEqual([
      arnBinding('/spec/defaultActions/0/targetGroupARN', 'TargetGroup', 'shop-tg'),
      arnBinding('/spec/defaultActions/0/forwardConfig/targetGroups/0/targetGroupARN', 'TargetGroup', 'shop-tg'),
    ]);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('LoadBalancer, EC2 instances behind HTTP only', () => {
  const objs = render(
    withInstances(
      manifest((m) => {
        m.spec.loadBalancer.listeners = { http: { port: 80 } };
        m.spec.securityGroups.loadBalancer.ports = [80];
      }),
    ),
  );

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one listener forwarding to one instance target group; no certificate', () => {
    expect(objs.map((o) => o.kind).sort()).toEqual(['Listener', 'LoadBalancer', 'TargetGroup']);
    expect(only(objs, 'TargetGroup').spec.targetType).toBe('instance');
    const http = only(objs, 'Listener');
    expect(http.spec).toMatchObject({ port: 80, protocol: 'HTTP' });
    expect(http.spec.defaultActions[0].type).toBe('forward');
    expect(http.spec.certificates).toBeUndefined();
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('LoadBalancer, an existing certificate and no redirect', () => {
  const objs = render(
    manifest((m) => {
      m.spec.loadBalancer.listeners = { http: { redirectToHttps: false }, https: { port: 8443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06', certificate: { arn: CERT_ARN } } };
      m.spec.securityGroups.loadBalancer.ports = [80, 8443];
    }),
  );
  const https = named(objs, 'Listener', 'shop-listener-https');

  test('no Certificate; the ARN is in the listener and in the outputs, nothing waits for it', () => {
    expect(ofKind(objs, 'Certificate')).toEqual([]);
    expect(https.spec).toMatchObject({ port: 8443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06', certificates: [{ certificateARN: CERT_ARN }] });
    expect(bindingsOf(https).map((b) => b.from.kind)).toEqual(['TargetGroup', 'TargetGroup']);
    expect(outputsOf(https)).toEqual([{ output: '/loadBalancer/certificateARN', value: CERT_ARN }]);
  });

  test('HTTP forwards like HTTPS', () => {
    expect(named(objs, 'Listener', 'shop-listener-http').spec.defaultActions).toEqual(https.spec.defaultActions);
  });

  crdTest(objs)('valid against the ACK CRDs', () => {
    expect(crdErrors(objs)).toEqual([]);
  });
});

describe('LoadBalancer, subnets, names and settings', () => {
  test('one subnet per availability zone even with two public subnets per zone', () => {
    const lb = only(
      render(
        manifest((m) => {
          m.spec.network.availabilityZones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
          m.spec.network.subnets.public.countPerAZ = 2;
        }),
      ),
      'LoadBalancer',
    );
    expect(lb.spec.subnetRefs).toEqual([ref('shop-subnet-public-a-0'), ref('shop-subnet-public-b-0'), ref('shop-subnet-public-c-0')]);
  });

  test('an internal load balancer lives in the private subnets', () => {
    const lb = only(render(manifest((m) => Object.assign(m.spec.loadBalancer, { scheme: 'internal', subnetTier: 'private' }))), 'LoadBalancer');
    expect(lb.spec).toMatchObject({ scheme: 'internal', subnetRefs: [ref('shop-subnet-private-a-0'), ref('shop-subnet-private-b-0')] });
  });

  test('AWS names stay within 32 characters with the longest project and suffix the API allows', () => {
    const objs = render(
      manifest((m) => {
        m.spec.project = 'p'.repeat(16);
        m.spec.environmentSuffix = 's'.repeat(12);
      }),
    );
    const names = objs.filter((o) => o.kind === 'LoadBalancer' || o.kind === 'TargetGroup').map((o) => o.spec.name as string);
    expect(names).toEqual([`${'p'.repeat(16)}-lb-${'s'.repeat(12)}`, `${'p'.repeat(16)}-tg-${'s'.repeat(12)}`, `${'p'.repeat(16)}-gr-${'s'.repeat(12)}`]);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
  });

  test('health check, deregistration delay, idle timeout and deletion protection from the spec', () => {
    const objs = render(
      manifest((m) => {
        Object.assign(m.spec.loadBalancer, { idleTimeoutSeconds: 120, deletionProtection: true });
        m.spec.loadBalancer.targetGroup = {
          healthCheck: { path: '/ready', port: '8081', healthyThreshold: 3, unhealthyThreshold: 4, intervalSeconds: 15, timeoutSeconds: 10, matcher: '200-299' },
          deregistrationDelaySeconds: 30,
        };
      }),
    );
    expect(only(objs, 'LoadBalancer').spec.attributes).toEqual([
      { key: 'idle_timeout.timeout_seconds', value: '120' },
      { key: 'deletion_protection.enabled', value: 'true' },
      { key: 'access_logs.s3.enabled', value: 'false' },
    ]);
    for (const g of ofKind(objs, 'TargetGroup')) {
      expect(g.spec).toMatchObject({
        healthCheckPath: '/ready',
        healthCheckPort: '8081',
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 4,
        healthCheckIntervalSeconds: 15,
        healthCheckTimeoutSeconds: 10,
        matcher: { httpCode: '200-299' },
      });
      expect(resolvedAttributes(g)).toEqual([{ key: 'deregistration_delay.timeout_seconds', value: '30' }]);
    }
  });
});

describe('LoadBalancer, web ACL association', () => {
  const association = (m: Manifest) => gapsOf(only(render(m), 'LoadBalancer'));

  test.each([
    ['a CLOUDFRONT web ACL', (m: Manifest) => (m.spec.firewall.scope = 'CLOUDFRONT')],
    ['no firewall', (m: Manifest) => delete m.spec.firewall],
  ])('with %s: declares that the load balancer has no web ACL (so that a dropped REGIONAL one is disassociated)', (_, edit) => {
    const gaps = association(manifest(edit));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ type: 'WebACLAssociation', name: 'shop-alb-waf', resourceARN: { from: { kind: 'LoadBalancer', name: 'shop-alb' } } });
    expect(gaps[0]).not.toHaveProperty('webACLARN');
  });

  test('only a REGIONAL firewall names a web ACL', () => {
    expect(association(manifest())[0]!.webACLARN?.from).toEqual({ apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: 'shop-waf' });
  });
});

describe('LoadBalancer, absent', () => {
  test('no load balancer section renders none of its kinds', () => {
    const objs = renderAll(
      manifest((m) => {
        delete m.spec.loadBalancer;
        delete m.spec.compute;
        delete m.spec.registry;
      }),
    );
    expect(objs.filter((o) => LB_KINDS.has(o.kind))).toEqual([]);
  });
});
