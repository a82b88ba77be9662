/**
 * spec.loadBalancer.accessLogs (seed 004: "ALB access logs"): the load balancer's `access_logs.s3.*` attributes, bound
 * late on the logs bucket so that logging is only switched on once the bucket exists. The bucket's policy (the ELB
 * log-delivery grant) is storage.test.ts's.
 */
import { validateEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION } from '../../../charts/bindings.js';
import { LoadBalancer } from '../../../charts/constructs/load-balancer.js';
import { bindingsOf, resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { validApplicationBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { differences, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The application base (blue/green, HTTPS with a requested certificate), edited. */
function manifest(edit: (m: Manifest) => void = () => {}): Manifest {
  const m = validApplicationBase('shop');
  edit(m);
  return m;
}

describe('LoadBalancer, access logs to the environment\'s logs bucket (seed 004)', () => {
  const withLogs = (prefix?: string) => manifest((m) => (m.spec.loadBalancer.accessLogs = { bucket: 'logs', ...(prefix ? { prefix } : {}) }));
  /** The load balancer's own children (the bucket and its policy: storage.test.ts). */
  function renderLb(m: Manifest): LooseObject[] {
    const env = validateEnvironment(m);
    return renderWith<LooseObject>(env, (chart, ctx) => {
      new LoadBalancer(chart, 'lb', { ctx, spec: env.spec.loadBalancer!, subnetNames: ['shop-subnet-public-a-0', 'shop-subnet-public-b-0'], securityGroupName: 'shop-sg-lb', vpcName: 'shop-vpc', certificateName: 'shop-certificate' });
    });
  }
  /** A lookup in which the logs bucket has `arn` (none: not created yet). */
  const bucket = (arn?: string) => (_apiVersion: string, kind: string, name: string) =>
    kind === 'Bucket' && name === 'shop-bucket-logs' && arn ? { status: { ackResourceMetadata: { arn } } } : undefined;
  const BASE = [
    { key: 'idle_timeout.timeout_seconds', value: '60' },
    { key: 'deletion_protection.enabled', value: 'false' },
  ];
  const objs = renderLb(withLogs('alb'));
  const lb = only(objs, 'LoadBalancer');

  test('matches the snapshot', () => {
    expect(lb).toMatchSnapshot();
  });

  test('created with logging off, the logging attributes bound late on the logs bucket\'s ARN, not required', () => {
    expect(lb.spec.attributes).toEqual([...BASE, { key: 'access_logs.s3.enabled', value: 'false' }]);
    const [binding, ...others] = bindingsOf(lb);
    expect(others).toEqual([]);
    expect(binding).toMatchObject({
      path: '/spec/attributes',
      from: { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', name: 'shop-bucket-logs' },
      fieldPath: 'status.ackResourceMetadata.arn',
      json: true,
      required: false,
    });
    // Not held back meanwhile: the load balancer does not wait for its logs.
    const pending = resolveBindings(lb, bucket());
    expect(pending.waitingFor).toEqual([]);
    expect(pending.object.spec?.attributes).toEqual(lb.spec.attributes);
  });

  test('switches logging on into the bucket\'s S3 name under the prefix once ACK has created the bucket, keeping the other attributes', () => {
    const resolved = resolveBindings(lb, bucket('arn:aws:s3:::shop-logs-test'));
    expect(resolved.object.spec?.attributes).toEqual([
      ...BASE,
      { key: 'access_logs.s3.enabled', value: 'true' },
      { key: 'access_logs.s3.bucket', value: 'shop-logs-test' },
      { key: 'access_logs.s3.prefix', value: 'alb' },
    ]);
  });

  test('without a prefix the logs start at AWSLogs/: no prefix attribute', () => {
    const attributes = resolveBindings(only(renderLb(withLogs()), 'LoadBalancer'), bucket('arn:aws:s3:::shop-logs-test')).object.spec?.attributes as Manifest[];
    expect(attributes.map((a) => a.key)).toEqual(['idle_timeout.timeout_seconds', 'deletion_protection.enabled', 'access_logs.s3.enabled', 'access_logs.s3.bucket']);
  });

  test('the idle timeout and deletion protection of the spec are in the logging attributes too', () => {
    const m = withLogs();
    Object.assign(m.spec.loadBalancer, { idleTimeoutSeconds: 120, deletionProtection: true });
    const attributes = resolveBindings(only(renderLb(m), 'LoadBalancer'), bucket('arn:aws:s3:::shop-logs-test')).object.spec?.attributes as Manifest[];
    expect(attributes.slice(0, 2)).toEqual([
      { key: 'idle_timeout.timeout_seconds', value: '120' },
      { key: 'deletion_protection.enabled', value: 'true' },
    ]);
  });

  test('changes nothing else: the same children as without access logs but for the binding', () => {
    expect(differences(renderLb(manifest()), objs)).toEqual([`LoadBalancer shop-alb /metadata/annotations/${BINDINGS_ANNOTATION}`]);
  });

  crdTest(objs)('valid against the ACK CRDs, before and after the binding resolves', () => {
    expect(crdErrors(objs)).toEqual([]);
    expect(crdErrors([resolveBindings(lb, bucket('arn:aws:s3:::shop-logs-test')).object])).toEqual([]);
  });
});
