/**
 * The kro ResourceGraphDefinition of the benchmark (bench/kro/): committed as generated, and equivalent to our render
 * of example 000 without a cluster: its `${...}` evaluated for one instance (cel-js), field by field against what we
 * render, once with no ACK controller (what both create; what both hold back) and once with every child synced (the
 * late bindings filled from the same statuses), the only differences being the ones the file's header justifies.
 */
import { readFileSync } from 'node:fs';
import { PREFIX, type RenderedObject } from '../../../charts/index.js';
import { bindingsOf, resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { extractExpressions, interpolate, kroOutcomes, referencedIds, type KroOutcome } from '../../../bench/kro/evaluate.js';
import { generateRgd, parameterize, PARAMETERS, resourceId, rgdYaml } from '../../../bench/kro/generate-rgd.js';
import { KRO_EXAMPLE, KRO_INSTANCE, KRO_RGD_PATH, kroExpectedChildren, kroInstance, loadKroRgd } from '../../../bench/kro/rgd.js';
import { applicableChildren, childKey, instantiate, loadExamples, type Manifest } from '../../../bench/lib/workload.js';
import { renderEnvironment } from '../../../charts/index.js';
import { validateEnvironment } from '../../../api/index.js';

const example = loadExamples().find((e) => e.id === KRO_EXAMPLE)!;
/** One environment of the example as the benchmark makes them, with a suffix other than the RGD's default. */
const manifest: Manifest = (() => {
  const m = instantiate(example, 'bench-ns-7', 'env-0042');
  m.spec.environmentSuffix = 'pr123';
  return m;
})();
const rgd = loadKroRgd();
const rendered = renderEnvironment(validateEnvironment(structuredClone(manifest)));
const created = (outcomes: KroOutcome[]) => outcomes.flatMap((o) => ('object' in o ? [o.object] : []));

/** Our object as kro should create it: without our controller's annotations, managed-by label and ownerReferences. */
function withoutOwnMetadata(o: RenderedObject): Record<string, unknown> {
  const annotations = Object.fromEntries(Object.entries(o.metadata.annotations).filter(([k]) => !k.startsWith(`${PREFIX}/`)));
  const labels = Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => k !== 'app.kubernetes.io/managed-by'));
  const { ownerReferences: _o, ...metadata } = { ...o.metadata, annotations, labels };
  return JSON.parse(JSON.stringify({ ...o, metadata })) as Record<string, unknown>;
}

/** JSON pointers where `a` and `b` differ (a field in one only counts as a difference). */
function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

/** A status like ACK's once synced: ARNs end in `<kind>/<name>/<id>` as the real ones do (the `after` markers need it). */
function synced(o: RenderedObject): Record<string, unknown> {
  const { name } = o.metadata;
  return {
    ...o,
    status: {
      conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }],
      ackResourceMetadata: { arn: `arn:aws:x:us-east-1:123456789012:${o.kind.toLowerCase()}/${name}/0a1b2c`, ownerAccountID: '123456789012', region: 'us-east-1' },
      id: `id-${name}`,
      subnetID: `subnet-${name}`,
    },
  };
}

describe('bench/kro/marketplace-three-tier.rgd.yaml', () => {
  it('is what bench/kro/generate-rgd.ts generates (regenerate with `npx tsx bench/kro/generate-rgd.ts` when this fails)', () => {
    expect(readFileSync(KRO_RGD_PATH, 'utf8')).toBe(rgdYaml());
  });

  it('has one resource per rendered child, with a stable lowerCamelCase id and readyWhen ACK.ResourceSynced', () => {
    expect(rgd.spec.schema).toMatchObject({ apiVersion: 'v1alpha1', kind: KRO_INSTANCE.kind });
    expect(Object.keys(rgd.spec.schema.spec ?? {})).toEqual(['environmentSuffix']);
    expect(rgd.spec.resources).toHaveLength(rendered.length);
    const ids = rgd.spec.resources.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(ids).toEqual(expect.arrayContaining(['vpcVpc', 'natGatewayNatA', 'dbClusterDb', 'listenerListenerHttps', 'metricAlarmAlarmAlb5xx']));
    for (const r of rgd.spec.resources) {
      expect(r.readyWhen).toEqual([`\${${r.id}.status.conditions.exists(c, c.type == "ACK.ResourceSynced" && c.status == "True")}`]);
      expect(r.template.metadata).toMatchObject({ namespace: '${schema.metadata.namespace}', name: expect.stringMatching(/^\$\{schema\.metadata\.name\}-/) });
    }
  });

  it('refers to other children by name only through schema interpolation: CEL references are the required late bindings', () => {
    const ids = new Set(rgd.spec.resources.map((r) => r.id));
    const byName = new Map(rgd.spec.resources.map((r) => [`${String(r.template.kind)}/${(r.template.metadata as { name: string }).name}`, r.id]));
    for (const [i, r] of rgd.spec.resources.entries()) {
      const sources = bindingsOf(rendered[i]!).filter((b) => b.required).map((b) => byName.get(`${b.from.kind}/${b.from.name.replace(manifest.metadata.name, '${schema.metadata.name}')}`));
      expect({ id: r.id, refs: referencedIds(r.template, ids) }).toEqual({ id: r.id, refs: [...new Set(sources)].sort() });
    }
  });

  it('with no ACK controller, creates exactly the children we apply, field by field equal, and holds back the rest', () => {
    const ours = applicableChildren(manifest);
    const outcomes = kroOutcomes(rgd, kroInstance(manifest));
    const kro = created(outcomes);
    expect(kro.map(childKey).sort()).toEqual(ours.map(childKey).sort());
    expect(kro).toHaveLength(49);
    const byKey = new Map(kro.map((o) => [childKey(o), o]));
    for (const o of ours) expect({ key: childKey(o), object: byKey.get(childKey(o)) }).toEqual({ key: childKey(o), object: withoutOwnMetadata(o) });
    expect(kroExpectedChildren(manifest).sort()).toEqual(ours.map(childKey).sort());
    // Present but not synced is not ready: kro still holds the dependents back.
    const unsynced = new Map(rgd.spec.resources.map((r, i) => [r.id, rendered[i]]));
    expect(created(kroOutcomes(rgd, kroInstance(manifest), unsynced)).map(childKey).sort()).toEqual(ours.map(childKey).sort());
  });

  it('with every child synced, creates all of them with the late bindings filled as our controller fills them, except the justified fields', () => {
    const observed = new Map(rgd.spec.resources.map((r, i) => [r.id, synced(rendered[i]!)]));
    const live = new Map(rendered.map((o) => [`${o.apiVersion}|${o.kind}|${o.metadata.name}`, synced(o)]));
    const kro = created(kroOutcomes(rgd, kroInstance(manifest), observed));
    expect(kro).toHaveLength(rendered.length);
    const differences = rendered.flatMap((o, i) => {
      const ours = withoutOwnMetadata(resolveBindings(o, (apiVersion, kind, name) => live.get(`${apiVersion}|${kind}|${name}`)).object);
      return diffPaths(kro[i], ours).map((p) => `${o.kind}/${o.metadata.name}${p}`);
    });
    expect(differences).toEqual([`Bucket/env-0042-bucket-assets/spec/policy`, `TargetGroup/env-0042-tg/spec/attributes`]);
    // The bindings that went through CEL: spot checks against values computed by hand.
    const of = (kind: string, name: string) => kro.find((o) => o.kind === kind && (o.metadata as { name: string }).name === `env-0042-${name}`) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(of('AutoScalingGroup', 'asg').spec.vpcZoneIdentifier).toBe('subnet-env-0042-subnet-private-a-0,subnet-env-0042-subnet-private-b-0,subnet-env-0042-subnet-private-c-0');
    expect(of('MetricAlarm', 'alarm-alb-5xx').spec.dimensions[0].value).toBe('env-0042-alb/0a1b2c');
  });

  it('lists each difference it cannot avoid in the header, with the reason', () => {
    const header = readFileSync(KRO_RGD_PATH, 'utf8').split('\napiVersion:')[0]!;
    expect(header).toContain('Bucket/<name>-bucket-assets: /spec/policy: never set by kro');
    expect(header).toContain('TargetGroup/<name>-tg: /spec/attributes: never set by kro');
    expect(header).toContain('metadata.labels.app.kubernetes.io/managed-by: kro sets it to "kro"');
    expect(header).toContain('AutoScalingTargetTracking through the AWS API');
    expect(generateRgd().differences.filter((d) => d.child !== '*').map((d) => d.field)).toContain('/spec/launchTemplate/launchTemplateName');
  });
});

describe('the generator', () => {
  const params = PARAMETERS;
  it('spells a value that differs only by the instance parameters with schema expressions, escaping a literal ${', () => {
    const [name, ns, sfx] = params.map((p) => p.sentinels);
    expect(parameterize(`${ns![0]}/${name![0]} x-${sfx![0]} \${HOME}`, `${ns![1]}/${name![1]} x-${sfx![1]} \${HOME}`, 'p')).toBe(
      '${schema.metadata.namespace}/${schema.metadata.name} x-${schema.spec.environmentSuffix} ${"${"}HOME}',
    );
    expect(interpolate('${"${"}HOME} ${schema.metadata.name}', { schema: { metadata: { name: 'n' } } })).toBe('${HOME} n');
  });

  it('fails on a difference no substitution explains (a hashed name), a key that varies, or a list of another length', () => {
    const [name] = params.map((p) => p.sentinels);
    expect(() => parameterize({ metadata: { name: `${name![0]}-1a2b` } }, { metadata: { name: `${name![1]}-9f8e` } }, 'Topic/x')).toThrow(/Topic\/x\/metadata\/name: .* differ; kro can only substitute/);
    expect(() => parameterize({ [name![0]]: 1 }, { [name![1]]: 1 }, 'k')).toThrow(/keys differ/);
    expect(() => parameterize([1], [1, 2], 'l')).toThrow(/lists of different lengths/);
    expect(() => parameterize(1, 2, 'n')).toThrow(/1 and 2 differ/);
  });

  it('makes ids from kind and name, and refuses a name without the environment prefix', () => {
    expect(resourceId('VPC', '${schema.metadata.name}-vpc')).toBe('vpcVpc');
    expect(resourceId('NATGateway', '${schema.metadata.name}-nat-a')).toBe('natGatewayNatA');
    expect(resourceId('DBInstance', '${schema.metadata.name}-db-0')).toBe('dbInstanceDb0');
    expect(() => resourceId('VPC', 'shared-vpc')).toThrow(/does not start with the environment's name/);
  });
});

describe('kro expressions', () => {
  it('are found as kro finds them: braces counted outside string literals', () => {
    expect(extractExpressions('a ${x.y} b ${{"k": "}"}} c ${"${"} {d}').map((m) => m.expr)).toEqual(['x.y', '{"k": "}"}', '"${"']);
    expect(extractExpressions('{"no": "expr"} ${unclosed')).toEqual([]);
  });

  it('a standalone expression keeps its type; a string template must be strings', () => {
    expect(interpolate({ n: '${1 + 2}', s: 'v${"1"}' }, {})).toEqual({ n: 3, s: 'v1' });
    expect(() => interpolate('v${1}', {})).toThrow(/not a string/);
  });
});

describe('kroInstance and kroExpectedChildren', () => {
  it('carry name, namespace and environmentSuffix; the RGD defaults the suffix', () => {
    expect(kroInstance(manifest)).toEqual({ apiVersion: 'kro.run/v1alpha1', kind: 'MarketplaceThreeTier', metadata: { name: 'env-0042', namespace: 'bench-ns-7' }, spec: { environmentSuffix: 'pr123' } });
    const plain = instantiate(example, 'ns', 'e1');
    const keys = kroExpectedChildren(plain);
    expect(keys).toContain('ns/VPC/e1-vpc');
    const vpc = created(kroOutcomes(rgd, kroInstance(plain))).find((o) => o.kind === 'VPC') as { spec: { tags: { key: string; value: string }[] } };
    expect(vpc.spec.tags).toContainEqual({ key: 'Name', value: 'marketplace-vpc-prod' });
  });

  it('refuse another example, a manifest without namespace, and kinds the API server does not serve', () => {
    const other = loadExamples().find((e) => e.id !== KRO_EXAMPLE)!;
    expect(() => kroInstance(instantiate(other, 'ns', 'x'))).toThrow(/is not example 000/);
    expect(() => kroInstance({ ...manifest, metadata: { name: 'x' } })).toThrow(/no namespace/);
    expect(() => kroExpectedChildren(manifest, new Set(['ec2.services.k8s.aws/v1alpha1/VPC']))).toThrow(/kinds not served: ec2.services.k8s.aws\/v1alpha1\/VPC/);
    expect(kroExpectedChildren(manifest, new Set(['ecs.services.k8s.aws/v1alpha1/Service']))).toHaveLength(49);
  });
});
