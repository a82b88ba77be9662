/** The declaration annotation (charts/aws-gaps.ts) as the controller reads it back, and late-value resolution. */
import { describe, expect, it } from '@jest/globals';
import { ARN_FIELD, AWS_GAPS_ANNOTATION, arnOf, awsGapAnnotations } from '../../../charts/aws-gaps.js';
import { ChildIndex, declarationsOf, regionOf } from '../../../controllers/aws-gaps/declarations.js';
import { ACL_ARN, LB_ARN, association, loadBalancer, webAcl } from './fake-aws.js';

const annotated = (value: string) => ({ metadata: { name: 'x', annotations: { [AWS_GAPS_ANNOTATION]: value } } });

describe('the aws-gaps annotation', () => {
  it('is one JSON string on the annotated child (a plain annotation: kubectl apply and a GitOps diff show it)', () => {
    const annotations = awsGapAnnotations([association()]);
    expect(Object.keys(annotations)).toEqual([AWS_GAPS_ANNOTATION]);
    expect(JSON.parse(annotations[AWS_GAPS_ANNOTATION]!)).toEqual([
      {
        type: 'WebACLAssociation',
        name: 'shop-alb-waf',
        resourceARN: { from: { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', name: 'shop-alb' }, fieldPath: ARN_FIELD },
        webACLARN: { from: { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: 'shop-waf' }, fieldPath: ARN_FIELD },
      },
    ]);
    expect(awsGapAnnotations([])).toEqual({});
  });

  it('reads back what the charts declare', () => {
    expect(declarationsOf(loadBalancer({ gaps: [association(), association(false)] }))).toEqual({ gaps: [association(), association(false)] });
    expect(declarationsOf(webAcl())).toEqual({ gaps: [] });
  });

  it('names the child a cdk8s ApiObject stands for', () => {
    expect(arnOf({ apiVersion: 'v', kind: 'K', name: 'n', ...{ node: {}, chart: {} } })).toEqual({ from: { apiVersion: 'v', kind: 'K', name: 'n' }, fieldPath: ARN_FIELD });
  });

  it.each([
    ['not JSON', '[{', 'is not JSON'],
    ['not an array', '{"type":"WebACLAssociation"}', 'must be a JSON array'],
    ['an unknown type', '[{"type":"UserPoolClient","name":"x"}]', '[0].type "UserPoolClient" is not one of WebACLAssociation'],
    ['no name', JSON.stringify([{ ...association(), name: '' }]), '[0].name must be a non-empty string'],
    ['a late value without a source', JSON.stringify([{ ...association(), resourceARN: { fieldPath: ARN_FIELD } }]), '[0].resourceARN must be {from: {apiVersion, kind, name}, fieldPath}'],
    ['a web ACL that is not a late value', JSON.stringify([association(), { ...association(), webACLARN: ACL_ARN }]), '[1].webACLARN must be {from: {apiVersion, kind, name}, fieldPath}'],
  ])('rejects %s, naming the annotation and the field', (_what, value, problem) => {
    const { gaps, invalid } = declarationsOf(annotated(value));
    expect(gaps).toEqual([]);
    expect(invalid).toContain(AWS_GAPS_ANNOTATION);
    expect(invalid).toContain(problem);
  });

  it('takes the region from the child\'s services.k8s.aws/region annotation', () => {
    expect(regionOf(loadBalancer())).toBe('eu-west-1');
    expect(regionOf({ metadata: {} })).toBeUndefined();
  });
});

describe('ChildIndex.resolve', () => {
  const late = association().resourceARN;

  it('reads the value of a synced child', () => {
    expect(new ChildIndex([loadBalancer({ arn: LB_ARN, synced: true })]).resolve(late, true)).toBe(LB_ARN);
  });

  it('waits for ACK.ResourceSynced=True when asked to, and not otherwise', () => {
    const index = new ChildIndex([loadBalancer({ arn: LB_ARN, synced: false })]);
    expect(index.resolve(late, true)).toBeUndefined();
    expect(index.resolve(late, false)).toBe(LB_ARN);
  });

  it('knows nothing of a missing child, a missing field, or a value that is not a non-empty string', () => {
    expect(new ChildIndex([webAcl({ arn: ACL_ARN, synced: true })]).resolve(late, false)).toBeUndefined();
    expect(new ChildIndex([loadBalancer({ synced: true })]).resolve(late, false)).toBeUndefined();
    expect(new ChildIndex([loadBalancer({ arn: '', synced: true })]).resolve(late, false)).toBeUndefined();
  });
});
