/**
 * The ACM certificate an environment requests for its HTTPS listener (`loadBalancer.listeners.https.certificate.domainName`).
 * The acm-controller always requests DNS validation: ACM issues the certificate once the validation CNAME records it
 * reports in `status.domainValidations` exist in the domain. The HTTPS listener takes the certificate's ARN through a
 * late binding (load-balancer.ts).
 *
 * `subjectAlternativeNames` always starts with the domain name itself: ACM reports the domain name among the
 * alternative names, and a spec without it never compares equal, so the controller keeps updating the certificate
 * (docs/ack-facts.md, "ACM certificates").
 */
import { Construct } from 'constructs';
import * as acm from '../../imports/acm.services.k8s.aws.js';
import { ARN_FIELD } from '../aws-gaps.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link Certificate}. */
export interface CertificateProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Domain the certificate is for (`certificate.domainName`). */
  readonly domainName: string;
  /** Further names on the certificate (`certificate.subjectAlternativeNames`). @default none */
  readonly subjectAlternativeNames?: readonly string[];
}

/** The ACM certificate of an environment's HTTPS listener. */
export class Certificate extends Construct {
  /** Kubernetes name of the Certificate. */
  readonly name: string;
  /** Every name on the certificate, the domain name first: one DNS-validation record each (dns.ts). */
  readonly domainNames: readonly string[];

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    const { ctx, domainName } = props;
    const { names } = ctx;
    this.name = names.k8s('certificate');
    this.domainNames = [domainName, ...(props.subjectAlternativeNames ?? []).filter((n) => n !== domainName)];
    new acm.Certificate(this, 'certificate', {
      metadata: ctx.metadata('loadBalancer', this.name, { outputs: [{ output: '/loadBalancer/certificateARN', fieldPath: ARN_FIELD }] }),
      spec: {
        domainName,
        subjectAlternativeNames: [...this.domainNames],
        tags: names.tags(names.aws('certificate')),
      },
    });
  }
}
