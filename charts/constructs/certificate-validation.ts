/**
 * The DNS-validation records of the ACM certificate the environment requests (certificate.ts): one CNAME RecordSet per
 * record ACM asks for, in the environment's hosted zone (dns.ts). ACM issues the certificate once they resolve.
 *
 * ACM names the records only once the certificate exists (`status.domainValidations[].resourceRecord`), so name and
 * value are late bindings (bindings.ts) from the Certificate, each record held back until ACM has reported its own:
 * - they select the validation entry by `domainName`, not by index: ACM lists the entries in no fixed order, and a
 *   RecordSet's name is immutable once set;
 * - the name is cut before the zone's domain: ACK's RecordSet `name` is relative to the zone (the controller appends
 *   the zone's domain), while ACM reports the fully qualified `_<token>.shop.example.com.`;
 * - a wildcard and its base domain (`*.example.com`, `example.com`) share one validation record: one RecordSet for
 *   both. Two RecordSets of one name would race to create the same record, and Route 53's refusal
 *   (InvalidChangeBatch) is terminal for ACK.
 */
import { Construct } from 'constructs';
import * as acm from '../../imports/acm.services.k8s.aws.js';
import * as route53 from '../../imports/route53.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';

/** TTL of the validation records: short, so that a corrected record reaches ACM's resolvers within minutes. */
export const VALIDATION_RECORD_TTL_SECONDS = 300;

/** How a record names its hosted zone: by reference to the environment's HostedZone, or by the id of an existing zone. */
export type RecordZone = Pick<route53.RecordSetSpec, 'hostedZoneId' | 'hostedZoneRef'>;

/** Props of {@link CertificateValidation}. */
export interface CertificateValidationProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Domain of the hosted zone (`dns.zone.name`); every name on the certificate is in it (a CEL rule of api/dns.ts). */
  readonly zoneName: string;
  /** The zone the records go to. */
  readonly zone: RecordZone;
  /** Kubernetes name of the ACM Certificate. */
  readonly certificateName: string;
  /** Every name on the certificate (Certificate.domainNames). */
  readonly domainNames: readonly string[];
  /** Outputs every record declares (the id of an existing zone). @default none */
  readonly outputs?: readonly OutputDeclaration[];
}

/** The CNAME records through which ACM validates the environment's certificate. */
export class CertificateValidation extends Construct {
  /**
   * The names on a certificate with a validation record of their own, by the domain the record is for: a wildcard
   * shares the record of its base domain, so the first name of each base domain stands for it.
   */
  static validatedNames(domainNames: readonly string[]): Map<string, string> {
    const byBase = new Map<string, string>();
    for (const name of domainNames) {
      const base = name.startsWith('*.') ? name.slice(2) : name;
      if (!byBase.has(base)) byBase.set(base, name);
    }
    return byBase;
  }

  constructor(scope: Construct, id: string, props: CertificateValidationProps) {
    super(scope, id);
    const { ctx, zoneName } = props;
    const from = { ...acm.Certificate.GVK, name: props.certificateName };
    for (const [base, domainName] of CertificateValidation.validatedNames(props.domainNames)) {
      const relative = base === zoneName ? undefined : base.slice(0, -(zoneName.length + 1));
      // Named after the domain validated, not a position: adding or removing a name leaves the other records alone.
      const name = `${ctx.names.k8s('dns', 'validation')}${relative ? `.${relative}` : ''}`;
      const entry = (field: string): Pick<Binding, 'from' | 'fieldPath' | 'where' | 'required'> => ({
        from,
        fieldPath: `status.domainValidations.*.resourceRecord.${field}`,
        where: { domainName },
        required: true,
      });
      new route53.RecordSet(this, name, {
        metadata: ctx.metadata('dns', name, {
          bindings: [
            { path: '/spec/name', ...entry('name'), before: `.${zoneName}` },
            { path: '/spec/resourceRecords/0/value', ...entry('value') },
          ],
          outputs: props.outputs,
        }),
        spec: {
          recordType: 'CNAME',
          ttl: VALIDATION_RECORD_TTL_SECONDS,
          ...props.zone,
          // The value comes through the binding; the list is there for it to land in.
          resourceRecords: [{}],
        },
      });
    }
  }
}
