/**
 * DNS (`spec.dns`): a Route 53 public hosted zone, or an existing one named by id; alias records to the environment's
 * Application Load Balancer and CloudFront distribution; the DNS-validation records of the certificate the environment
 * requests (certificate-validation.ts).
 *
 * What the route53-controller needs to converge (docs/ack-facts.md, "Route 53"):
 * - the zone's `name` carries the trailing dot Route 53 answers with: the controller writes Route 53's name back into
 *   the spec, and `name` is immutable, so a name without the dot would make every later apply fail;
 * - a record's `name` is relative to its zone (the controller appends the zone's domain), and the apex has none;
 * - `evaluateTargetHealth` is always rendered: the controller reads it back as a boolean, absent or not.
 *
 * An alias target's DNS name and hosted zone come from its status through late bindings (bindings.ts): the load
 * balancer's `dnsName` and `canonicalHostedZoneID`, the distribution's `domainName` with CloudFront's fixed hosted
 * zone. A record is held back until its target reports them. Records name a zone the environment creates by
 * reference (`hostedZoneRef`), an existing one by id.
 *
 * The zone is retained on deletion unless spec.deletionPolicy is Delete, like the stores of data: its name servers are
 * delegated at the registrar, and a new zone gets new ones. The records go with the environment.
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import { APEX, recordFqdn, type DnsRecordSpec, type DnsSpec } from '../../api/dns.js';
import * as cloudfront from '../../imports/cloudfront.services.k8s.aws.js';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws.js';
import * as route53 from '../../imports/route53.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';
import { Cdn } from './cdn.js';
import { CertificateValidation, type RecordZone } from './certificate-validation.js';
import { LoadBalancer } from './load-balancer.js';

/** Hosted zone id of every CloudFront distribution, for alias records (AWS documents it as a constant). */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';
/** Name servers Route 53 gives a public hosted zone. */
export const NAME_SERVER_COUNT = 4;

/** The certificate the environment requests: its Kubernetes name and the names on it. */
export interface RequestedCertificate {
  readonly name: string;
  readonly domainNames: readonly string[];
}

/** Props of {@link Dns}. */
export interface DnsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.dns`, defaulted. */
  readonly spec: DnsSpec;
  /** Kubernetes name of the environment's LoadBalancer; records with target loadBalancer need it. @default none */
  readonly loadBalancerName?: string;
  /** Kubernetes name of the environment's Distribution; records with target cdn need it. @default none */
  readonly distributionName?: string;
  /** The certificate the environment requests: its validation records go in the zone (`certificateValidation`). @default none */
  readonly certificate?: RequestedCertificate;
}

/** Where an alias record's target reports its DNS name (and hosted zone), and which record types reach it. */
interface AliasSource {
  readonly from: Binding['from'];
  readonly dnsNameField: string;
  /** Status field of the target's hosted zone id, or the fixed id. */
  readonly hostedZone: { readonly field: string } | { readonly id: string };
  readonly evaluateTargetHealth: boolean;
  readonly types: readonly string[];
}

/** The hosted zone of an environment and its records. */
export class Dns extends Construct {
  /** Kubernetes name of the HostedZone the environment creates. */
  static zoneName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('dns', 'zone');
  }

  /** Kubernetes name of the RecordSet of type `type` (A, AAAA) for the record `name` of spec.dns.records. */
  static recordName(ctx: EnvironmentContext, name: string, type: string): string {
    // The type first, then the record's own name: no record name can make it collide with another type's record or
    // with the validation records (`<env>-dns-validation...`).
    return `${ctx.names.k8s('dns', type.toLowerCase())}${name === APEX ? '' : `.${name}`}`;
  }

  constructor(scope: Construct, id: string, private readonly props: DnsProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const existing = spec.zone.existingZoneID;
    const zone: RecordZone = existing ? { hostedZoneId: existing } : { hostedZoneRef: ctx.ref(Dns.zoneName(ctx)) };
    // An existing zone's id is known now; every record reports it, as no child of the environment is the zone.
    const zoneOutputs: OutputDeclaration[] = existing ? [{ output: '/dns/zoneID', value: existing }] : [];
    if (!existing) this.renderZone();
    spec.records.forEach((record, i) => this.renderRecord(record, i, zone, zoneOutputs));
    if (spec.certificateValidation && props.certificate) {
      new CertificateValidation(this, 'certificate-validation', {
        ctx,
        zoneName: spec.zone.name,
        zone,
        certificateName: props.certificate.name,
        domainNames: props.certificate.domainNames,
        outputs: zoneOutputs,
      });
    }
  }

  private renderZone(): void {
    const { ctx, spec } = this.props;
    const { names } = ctx;
    const outputs: OutputDeclaration[] = [
      // Route 53 ids read /hostedzone/<id>; the output is the id alone, as consoles and existingZoneID write it.
      { output: '/dns/zoneID', fieldPath: 'status.id', after: '/hostedzone/' },
      ...Array.from({ length: NAME_SERVER_COUNT }, (_, i) => ({ output: `/dns/nameServers/${i}`, fieldPath: `status.delegationSet.nameServers.${i}` })),
    ];
    new route53.HostedZone(this, 'zone', {
      metadata: ctx.metadata('dns', Dns.zoneName(ctx), { dataBearing: true, identity: IDENTITY.hostedZone, outputs }),
      spec: {
        name: `${spec.zone.name}.`,
        hostedZoneConfig: { comment: `${names.aws()}: DNS of the marketplace environment` },
        // No Name tag: Route 53 takes at most 10 tags on a zone (api/dns.ts), and shows the zone by its domain.
        tags: names.tags(),
      },
    });
  }

  /** The alias RecordSets of one entry of spec.dns.records: A, and AAAA when the target answers over IPv6. */
  private renderRecord(record: DnsRecordSpec, index: number, zone: RecordZone, zoneOutputs: readonly OutputDeclaration[]): void {
    const { ctx, spec } = this.props;
    const source = this.aliasSource(record);
    source.types.forEach((type, t) => {
      const name = Dns.recordName(ctx, record.name, type);
      const bindings: Binding[] = [{ path: '/spec/aliasTarget/dnsName', from: source.from, fieldPath: source.dnsNameField, required: true }];
      if ('field' in source.hostedZone) bindings.push({ path: '/spec/aliasTarget/hostedZoneID', from: source.from, fieldPath: source.hostedZone.field, required: true });
      // The record's own outputs come with its first RecordSet (A).
      const outputs: OutputDeclaration[] = [
        ...(t > 0 ? [] : [
          { output: `/dns/records/${index}/name`, value: record.name },
          { output: `/dns/records/${index}/fqdn`, value: recordFqdn(record.name, spec.zone.name) },
        ]),
        ...zoneOutputs,
      ];
      new route53.RecordSet(this, name, {
        metadata: ctx.metadata('dns', name, { bindings, outputs }),
        spec: {
          ...(record.name === APEX ? {} : { name: record.name }),
          recordType: type,
          ...zone,
          aliasTarget: {
            evaluateTargetHealth: source.evaluateTargetHealth,
            ...('id' in source.hostedZone ? { hostedZoneId: source.hostedZone.id } : {}),
          },
        },
      });
    });
  }

  private aliasSource(record: DnsRecordSpec): AliasSource {
    const { loadBalancerName, distributionName } = this.props;
    const types = (ipv6: boolean) => (ipv6 ? ['A', 'AAAA'] : ['A']);
    if (record.target === 'loadBalancer') {
      if (!loadBalancerName) throw new Error(`spec.dns.records: ${record.name} targets the load balancer, and the environment has none`);
      return {
        from: { ...elbv2.LoadBalancer.GVK, name: loadBalancerName },
        dnsNameField: 'status.dnsName',
        hostedZone: { field: 'status.canonicalHostedZoneID' },
        // As the AWS console sets it for a load balancer: the record counts as unhealthy while the load balancer has no
        // healthy target, which matters once other records of the name (failover, weighted) compete with it.
        evaluateTargetHealth: true,
        types: types(LoadBalancer.ipAddressType === 'dualstack'),
      };
    }
    if (!distributionName) throw new Error(`spec.dns.records: ${record.name} targets the CDN, and the environment has none`);
    return {
      from: { ...cloudfront.Distribution.GVK, name: distributionName },
      dnsNameField: 'status.domainName',
      hostedZone: { id: CLOUDFRONT_HOSTED_ZONE_ID },
      // Route 53 refuses to evaluate the health of a CloudFront distribution.
      evaluateTargetHealth: false,
      types: types(Cdn.ipv6Enabled),
    };
  }
}
