/**
 * Adoption of what deletionPolicy Retain kept (issue 16). An environment deleted with Retain leaves its data stores
 * and what they depend on in AWS; applied again, its children must take those over rather than create a second copy.
 * ACK does that for a custom resource that has the annotation `services.k8s.aws/adoption-policy: adopt-or-create` and
 * does not hold ACK's finalizer yet: it reads the AWS resource first, and adopts it when found, creates it otherwise
 * (ACK runtime reconciler.go, `Sync`). Once ACK manages the resource it ignores the annotation, so it stays rendered.
 *
 * ACK finds the resource by what the custom resource says before creation. For a kind AWS addresses by a name the
 * charts render (a bucket, a DB instance identifier, a replication group id, a subnet group, a repository, a
 * Secrets Manager secret, which its controller looks up by name) the spec is enough. A kind AWS addresses by an id it
 * generates (a VPC, a subnet, a route table, a security group, a KMS key, a user pool, a hosted zone) needs that id
 * in the annotation `services.k8s.aws/adoption-fields`, which ACK copies into the status before reading. The charts
 * cannot know that id: they declare, in {@link IDENTITY_ANNOTATION}, which field of the live child holds it and under
 * which adoption-fields key ACK wants it, and the controller records the ids of such children in a ConfigMap that
 * outlives the environment (EnvironmentNames.retainedIds, controllers/marketplace-environment/identity-record.ts).
 *
 * Only children that are retained get these annotations: with deletionPolicy Delete nothing should be left in AWS,
 * and a leftover found there is a failure to surface (ACK reports it as a terminal "already exists"), not to adopt.
 */
import { PREFIX } from './naming.js';

/** ACK annotation asking to adopt the AWS resource when it exists (ACK runtime v0.57+, feature gate ResourceAdoption, Beta, on by default). */
export const ADOPTION_POLICY_ANNOTATION = 'services.k8s.aws/adoption-policy';
/** ACK annotation with the identifiers of the AWS resource to adopt, a JSON object (ACK's `PopulateResourceFromAnnotation`). */
export const ADOPTION_FIELDS_ANNOTATION = 'services.k8s.aws/adoption-fields';
/** Annotation ACK sets to "true" on a custom resource that adopted an existing AWS resource. */
export const ADOPTED_ANNOTATION = 'services.k8s.aws/adopted';
/** Adopt the AWS resource if it exists, create it otherwise. */
export const ADOPT_OR_CREATE = 'adopt-or-create';
/** Annotation declaring where a retained id-keyed child's identifiers are (JSON {@link IdentityFields}). */
export const IDENTITY_ANNOTATION = `${PREFIX}/identity`;

/** Adoption-fields key (as ACK's `PopulateResourceFromAnnotation` of the kind reads it) → dot path of the value in the live child. */
export type IdentityFields = Readonly<Record<string, string>>;

/**
 * The identifiers of the id-keyed kinds the charts retain, as the controllers here read them (pkg/resource/<kind>/
 * resource.go of ec2-controller v1.19.0, kms-controller v1.2.3, cognitoidentityprovider-controller v1.3.1). The
 * route53 HostedZone's is ACK's generated default for a primary identifier `id` (no route53 controller is built here
 * to check it against).
 */
export const IDENTITY = {
  vpc: { vpcID: 'status.vpcID' },
  subnet: { subnetID: 'status.subnetID' },
  routeTable: { routeTableID: 'status.routeTableID' },
  securityGroup: { id: 'status.id' },
  kmsKey: { keyID: 'status.keyID' },
  userPool: { id: 'status.id' },
  hostedZone: { id: 'status.id' },
} as const satisfies Record<string, IdentityFields>;

/**
 * Annotations of a child: none unless it is `retained`; then adopt-or-create, and for an id-keyed kind the
 * declaration of its `identity`.
 */
export function adoptionAnnotations(retained: boolean, identity?: IdentityFields): Record<string, string> {
  if (!retained) return {};
  return { [ADOPTION_POLICY_ANNOTATION]: ADOPT_OR_CREATE, ...(identity ? { [IDENTITY_ANNOTATION]: JSON.stringify(identity) } : {}) };
}

/** The identity a child declares, or undefined (not retained, or keyed by a name the spec holds). */
export function declaredIdentity(o: { metadata?: { annotations?: Record<string, string> } }): IdentityFields | undefined {
  const raw = o.metadata?.annotations?.[IDENTITY_ANNOTATION];
  return raw ? (JSON.parse(raw) as IdentityFields) : undefined;
}
