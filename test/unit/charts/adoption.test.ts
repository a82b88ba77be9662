/**
 * Adoption annotations (charts/adoption.ts): what deletionPolicy Retain keeps carries adopt-or-create, the id-keyed
 * kinds among it declare where their id is, and with Delete nothing does. Over every example environment and over
 * example 004 (Retain, with a database, a user pool and a hosted zone) switched to Delete.
 */
import { ADOPTION_FIELDS_ANNOTATION, ADOPTION_POLICY_ANNOTATION, ADOPT_OR_CREATE, IDENTITY, IDENTITY_ANNOTATION, adoptionAnnotations, declaredIdentity } from '../../../charts/adoption.js';
import { DELETION_POLICY_ANNOTATION } from '../../../charts/context.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { EXAMPLE_ENVIRONMENTS, example } from '../helpers/render-construct.js';

/** The identity each id-keyed kind declares, by kind (ACK's adoption-fields key → the status field holding the id). */
const BY_KIND: Record<string, Record<string, string>> = {
  VPC: IDENTITY.vpc,
  Subnet: IDENTITY.subnet,
  RouteTable: IDENTITY.routeTable,
  SecurityGroup: IDENTITY.securityGroup,
  Key: IDENTITY.kmsKey,
  UserPool: IDENTITY.userPool,
  HostedZone: IDENTITY.hostedZone,
};

const retained = (o: RenderedObject) => o.metadata.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain';
const label = (o: RenderedObject) => `${o.kind}/${o.metadata.name}`;

describe('adoptionAnnotations', () => {
  it('renders nothing for a child that is not retained, adopt-or-create for one that is, and the identity when declared', () => {
    expect(adoptionAnnotations(false, IDENTITY.vpc)).toEqual({});
    expect(adoptionAnnotations(true)).toEqual({ [ADOPTION_POLICY_ANNOTATION]: ADOPT_OR_CREATE });
    expect(adoptionAnnotations(true, IDENTITY.vpc)).toEqual({ [ADOPTION_POLICY_ANNOTATION]: 'adopt-or-create', [IDENTITY_ANNOTATION]: '{"vpcID":"status.vpcID"}' });
    expect(declaredIdentity({ metadata: { annotations: adoptionAnnotations(true, IDENTITY.kmsKey) } })).toEqual({ keyID: 'status.keyID' });
    expect(declaredIdentity({ metadata: {} })).toBeUndefined();
  });
});

describe.each(EXAMPLE_ENVIRONMENTS.map((e) => e.manifest.metadata.name))('example environment %s', (name) => {
  const objects = renderEnvironment(example(name));

  it('marks exactly the retained children adopt-or-create', () => {
    const adopting = objects.filter((o) => o.metadata.annotations?.[ADOPTION_POLICY_ANNOTATION] !== undefined).map(label);
    expect(adopting).toEqual(objects.filter(retained).map(label));
    for (const o of objects.filter(retained)) expect([label(o), o.metadata.annotations?.[ADOPTION_POLICY_ANNOTATION]]).toEqual([label(o), 'adopt-or-create']);
  });

  it('declares the identity of exactly the retained children of id-keyed kinds, and renders no adoption-fields itself', () => {
    for (const o of objects) {
      const expected = retained(o) ? BY_KIND[o.kind] : undefined;
      expect([label(o), declaredIdentity(o)]).toEqual([label(o), expected]);
      expect(o.metadata.annotations?.[ADOPTION_FIELDS_ANNOTATION]).toBeUndefined();
    }
  });
});

describe('example 004 (Retain, database, user pool, hosted zone)', () => {
  const retain = renderEnvironment(example('004'));
  const remove = renderEnvironment(example('004', { patch: (raw) => (raw.spec.deletionPolicy = 'Delete') }));

  it('declares the identity of each id-keyed kind it retains', () => {
    const declared = new Set(retain.filter((o) => declaredIdentity(o)).map((o) => o.kind));
    expect([...declared].sort()).toEqual(['HostedZone', 'Key', 'RouteTable', 'SecurityGroup', 'Subnet', 'UserPool', 'VPC']);
    // The VPC's id, where its output reads it too.
    const vpc = retain.find((o) => o.kind === 'VPC')!;
    expect(declaredIdentity(vpc)).toEqual({ vpcID: 'status.vpcID' });
  });

  it('marks the name-keyed data stores adopt-or-create without an identity (ACK finds them by the name in the spec)', () => {
    for (const kind of ['DBInstance', 'DBSubnetGroup', 'Bucket', 'Repository', 'Secret']) {
      const children = retain.filter((o) => o.kind === kind && o.apiVersion.endsWith('.services.k8s.aws/v1alpha1'));
      expect([kind, children.length > 0]).toEqual([kind, true]);
      for (const o of children) expect([label(o), o.metadata.annotations?.[ADOPTION_POLICY_ANNOTATION], declaredIdentity(o)]).toEqual([label(o), 'adopt-or-create', undefined]);
    }
  });

  it('with deletionPolicy Delete: nothing adopts, nothing declares an identity (a leftover is a failure to surface)', () => {
    expect(remove.length).toBe(retain.length);
    expect(remove.filter((o) => o.metadata.annotations?.[ADOPTION_POLICY_ANNOTATION] !== undefined || o.metadata.annotations?.[IDENTITY_ANNOTATION] !== undefined).map(label)).toEqual([]);
  });
});
