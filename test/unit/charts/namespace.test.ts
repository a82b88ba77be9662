/**
 * Rendering for any namespace: a manifest without metadata.namespace renders children without one, so
 * `npm run render -- f.yaml | kubectl apply -n team-a -f -` puts them where kubectl says; with a namespace (as the
 * controller always renders, from the API server's copy) every child is in it. The AWS environment tag names the
 * namespace only when it is known.
 */
import { stringify } from 'yaml';
import { renderEnvironment, renderManifest, type RenderedObject } from '../../../charts/index.js';
import { example } from '../helpers/render-construct.js';

const TAG = 'marketplace.platform.dev/environment';

/** The environment tag of a child (kms keys use tagKey/tagValue, buckets tagging.tagSet, log groups a map, the rest spec.tags). */
function environmentTag(o: RenderedObject): string | undefined {
  const spec = o.spec as { tags?: Record<string, string>[] | Record<string, string>; tagging?: { tagSet: Record<string, string>[] } } | undefined;
  const tags = spec?.tags;
  if (tags && !Array.isArray(tags)) return tags[TAG];
  const tag = (tags ?? spec?.tagging?.tagSet)?.find((t) => (t.key ?? t.tagKey) === TAG);
  return tag?.value ?? tag?.tagValue;
}

/** Kinds whose CRD has no tags. */
const UNTAGGED = [
  'OriginAccessControl', 'ScalableTarget', 'ScalingPolicy', 'LayerVersion', 'Alias', 'Integration', 'Route', 'Resource', 'Method', 'Deployment', 'Dashboard',
  'Subscription', 'RecordSet',
];
/** Children of kinds that carry AWS tags. */
const tagged = (objects: readonly RenderedObject[]) => objects.filter((o) => !UNTAGGED.includes(o.kind));

/** A render into team-a with the namespace taken out and `team-a/<name>` tag values made `<name>`. */
const withoutTeamA = (objects: readonly RenderedObject[]): unknown =>
  objects.map((o) => {
    const { namespace, ...metadata } = o.metadata;
    expect(namespace).toBe('team-a');
    return JSON.parse(JSON.stringify({ ...o, metadata }), (_, v: unknown) => (typeof v === 'string' && v.startsWith('team-a/') ? v.slice('team-a/'.length) : v));
  });

describe.each(['000', '001', '002', '003', '004'])('example %s', (prefix) => {
  const bare = renderEnvironment(example(prefix));
  const teamA = renderEnvironment(example(prefix, { namespace: 'team-a' }));
  const name = example(prefix).metadata.name;

  it('without metadata.namespace: no child has a namespace, and the YAML has none for kubectl -n to contradict', () => {
    for (const o of bare) expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, undefined]);
    // Only metadata carries a namespace (a CloudWatch alarm's spec.namespace is the metric's, e.g. AWS/EC2).
    expect(bare.map((o) => stringify(o.metadata)).join('---\n')).not.toMatch(/^\s*namespace:/m);
  });

  it('without metadata.namespace: the environment tag is the bare name (a namespace is not guessed)', () => {
    for (const o of tagged(bare)) expect([o.kind, environmentTag(o)]).toEqual([o.kind, name]);
  });

  it('with metadata.namespace: every child in it, tagged namespace/name', () => {
    for (const o of teamA) expect([o.kind, o.metadata.namespace]).toEqual([o.kind, 'team-a']);
    for (const o of tagged(teamA)) expect([o.kind, environmentTag(o)]).toEqual([o.kind, `team-a/${name}`]);
  });

  it('differs between the two only in the namespace and the tag', () => {
    expect(withoutTeamA(teamA)).toEqual(bare);
  });
});

it('renderManifest (npm run render) keeps the manifest as it is: no namespace in, none out', () => {
  const objects = renderManifest({ ...example('004'), metadata: { name: 'plain' } });
  expect(objects.filter((o) => 'namespace' in o.metadata)).toEqual([]);
});
