/**
 * A derived IAM role: an iam Role trusted by one AWS service, with one customer-managed iam Policy per grant attached
 * through the Role's `policyRefs` (ACK creates the Role once every Policy is synced). Nothing here is written by the
 * user: the grants come from the spec (iam-grants.ts) and name exact resources.
 *
 * A policy document needs concrete ARNs, and most of them exist only once ACK has created the resource. A grant may
 * therefore hold one late value (bindings.ts): its document is rendered as a template with `{{value}}` (every
 * occurrence is replaced) and the Policy is held back until the value is known, so no document with a placeholder ever
 * reaches AWS. One value per grant is what a binding carries; grants are cut along that line.
 */
import { Construct } from 'constructs';
import * as iam from '../../imports/iam.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { Component } from '../naming.js';
import { stableJson } from './storage.js';

/** The placeholder of a grant's late value inside its statements. */
export const LATE = VALUE_PLACEHOLDER;

/** One statement of an IAM policy document. */
export interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

/** Where a grant's late value comes from: a field of another child of the environment. */
export interface LateValue {
  readonly from: Binding['from'];
  /** Dot path in that child, e.g. `status.ackResourceMetadata.arn`. */
  readonly fieldPath: string;
}

/** One customer-managed policy of a role. */
export interface Grant {
  /** Short name, part of the Policy's names (lower case, hyphens). */
  readonly name: string;
  /** What the policy allows, for its (immutable) description. */
  readonly description: string;
  /** Statements; `{{value}}` stands for the late value. */
  readonly statements: readonly Statement[];
  /** The late value the statements contain. @default none: the document is complete when rendered */
  readonly value?: LateValue;
}

/** Props of {@link DerivedRole}. */
export interface DerivedRoleProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Short name of the role, e.g. `task-exec` (AWS name `<project>-<name>-<environmentSuffix>`, at most 64 characters). */
  readonly name: string;
  /** Service principal allowed to assume the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly service: string;
  /** What the role is for (the Role's description). */
  readonly description: string;
  /** Customer-managed policies derived from the spec. */
  readonly grants: readonly Grant[];
  /** ARNs of AWS-managed policies to attach as well. @default none */
  readonly managedPolicyARNs?: readonly string[];
  /** Spec section the role and its policies belong to (their component label). @default 'compute' */
  readonly component?: Component;
}

/** An IAM policy document (keys sorted, so the same statements always render the same string). */
export function policyDocument(statements: readonly Statement[]): string {
  return stableJson({ Version: '2012-10-17', Statement: statements });
}

/** AWS partition of `region` (`aws`, `aws-cn` or `aws-us-gov`), the second field of every ARN. */
export function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A role of the environment and its policies. */
export class DerivedRole extends Construct {
  /** Kubernetes name of the Role `name`. */
  static resourceName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('role', name);
  }

  /** IAM name of the Role `name`. */
  static awsName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.aws(name);
  }

  /** Kubernetes name of the Role. */
  readonly resourceName: string;
  /** Kubernetes names of its Policies, in grant order. */
  readonly policyNames: string[];

  constructor(scope: Construct, id: string, props: DerivedRoleProps) {
    super(scope, id);
    const { ctx, name } = props;
    const { names } = ctx;
    const component = props.component ?? 'compute';
    this.resourceName = DerivedRole.resourceName(ctx, name);
    this.policyNames = props.grants.map((grant) => {
      const policyName = names.k8s('policy', name, grant.name);
      const awsName = names.aws(name, grant.name);
      const document = policyDocument(grant.statements);
      const bindings: Binding[] = grant.value ? [{ path: '/spec/policyDocument', ...grant.value, template: document, required: true }] : [];
      new iam.Policy(this, grant.name, {
        metadata: ctx.metadata(component, policyName, { bindings }),
        spec: {
          name: awsName,
          path: '/',
          // Immutable in IAM: built from fixed text and immutable spec fields only.
          description: `${names.aws()}: ${grant.description}`,
          // With a late value: the template the binding fills in (the Policy is held back until then).
          policyDocument: document,
          tags: names.tags(awsName),
        },
      });
      return policyName;
    });
    const awsName = DerivedRole.awsName(ctx, name);
    const trust = { Sid: 'AssumedBy', Effect: 'Allow', Principal: { Service: props.service }, Action: 'sts:AssumeRole' };
    new iam.Role(this, 'role', {
      metadata: ctx.metadata(component, this.resourceName),
      spec: {
        name: awsName,
        path: '/',
        description: `${names.aws()}: ${props.description}`,
        assumeRolePolicyDocument: stableJson({ Version: '2012-10-17', Statement: [trust] }),
        // IAM's default, rendered so ACK finds nothing to change.
        maxSessionDuration: 3600,
        policyRefs: this.policyNames.map((policy) => ctx.ref(policy)),
        ...(props.managedPolicyARNs?.length ? { policies: [...props.managedPolicyARNs] } : {}),
        tags: names.tags(awsName),
      },
    });
  }
}
