/** resolveBindings with `after`: a binding takes the part of a field after a marker (CloudWatch's names of ELB ARNs). */
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import type { RenderedObject } from '../../../charts/render.js';
import { resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/corebiz-lb-dev/50dc6c495c0c9188';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/corebiz-tg-dev/73e2d6bc24d8a067';

const from = (kind: string) => ({ apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind, name: kind.toLowerCase() });
const arns: Record<string, string> = { LoadBalancer: LB_ARN, TargetGroup: TG_ARN };
const lookup = (arn: Record<string, string | undefined> = arns) => (_: string, kind: string) => (arn[kind] ? { status: { ackResourceMetadata: { arn: arn[kind] } } } : undefined);

function alarm(...bindings: Binding[]): RenderedObject {
  return {
    apiVersion: 'cloudwatch.services.k8s.aws/v1alpha1',
    kind: 'MetricAlarm',
    metadata: { name: 'a', labels: {}, annotations: { [BINDINGS_ANNOTATION]: JSON.stringify(bindings) } },
    spec: { dimensions: [{ name: 'TargetGroup', value: '{{value}}' }, { name: 'LoadBalancer', value: '{{value}}' }] },
  };
}

const lb = (required = true): Binding => ({ path: '/spec/dimensions/1/value', from: from('LoadBalancer'), fieldPath: 'status.ackResourceMetadata.arn', after: ':loadbalancer/', required });
const tg: Binding = { path: '/spec/dimensions/0/value', from: from('TargetGroup'), fieldPath: 'status.ackResourceMetadata.arn', after: ':targetgroup/', template: 'targetgroup/{{value}}', required: true };

describe('resolveBindings with after', () => {
  it('takes the part after the first occurrence of the marker, then applies the template', () => {
    const r = resolveBindings(alarm(tg, lb()), lookup());
    expect(r.waitingFor).toEqual([]);
    expect(r.object.spec?.dimensions).toEqual([
      { name: 'TargetGroup', value: 'targetgroup/corebiz-tg-dev/73e2d6bc24d8a067' },
      { name: 'LoadBalancer', value: 'app/corebiz-lb-dev/50dc6c495c0c9188' },
    ]);
  });

  it('cuts at the first occurrence only', () => {
    const r = resolveBindings(alarm({ ...lb(), after: '/' }), lookup());
    expect((r.object.spec?.dimensions as { value: string }[])[1]!.value).toBe('app/corebiz-lb-dev/50dc6c495c0c9188');
  });

  it('treats a field without the marker, or with nothing after it, as not known yet', () => {
    for (const arn of ['arn:aws:elasticloadbalancing:us-east-2:123456789012:listener/app/x/1', 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/']) {
      const held = resolveBindings(alarm(lb()), lookup({ LoadBalancer: arn }));
      expect(held.waitingFor).toHaveLength(1);
      const optional = resolveBindings(alarm(lb(false)), lookup({ LoadBalancer: arn }));
      expect([optional.waitingFor, (optional.object.spec?.dimensions as { value: string }[])[1]!.value]).toEqual([[], '{{value}}']);
    }
  });

  it('joins cut values like any other (a dashboard body built around late values)', () => {
    const part = (b: Binding, template: string): Binding => ({ ...b, path: '/spec/body', template, join: '' });
    const r = resolveBindings(alarm(part(lb(), '{"lb":"{{value}}",'), part(tg, '"tg":"targetgroup/{{value}}"}')), lookup());
    expect(JSON.parse(r.object.spec?.body as string)).toEqual({ lb: 'app/corebiz-lb-dev/50dc6c495c0c9188', tg: 'targetgroup/corebiz-tg-dev/73e2d6bc24d8a067' });
    const partial = resolveBindings(alarm(part(lb(), '{{value}}'), part(tg, '{{value}}')), lookup({ LoadBalancer: LB_ARN }));
    expect([partial.object.spec?.body, partial.waitingFor.map((b) => b.from.kind)]).toEqual([undefined, ['TargetGroup']]);
  });
});
