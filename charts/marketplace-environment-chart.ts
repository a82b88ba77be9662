/** The chart of one MarketplaceEnvironment: composes one construct per concern. */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { MarketplaceEnvironment } from '../api/index.js';
import { AppSecrets } from './constructs/app-secrets.js';
import { Cache } from './constructs/cache.js';
import { Cdn } from './constructs/cdn.js';
import { Certificate } from './constructs/certificate.js';
import { Containers } from './constructs/containers.js';
import { Database } from './constructs/database.js';
import { Firewall } from './constructs/firewall.js';
import { Instances } from './constructs/instances.js';
import { KmsKey } from './constructs/kms-key.js';
import { LoadBalancer } from './constructs/load-balancer.js';
import { Network } from './constructs/network.js';
import { Registry } from './constructs/registry.js';
import { SecurityGroups } from './constructs/security-groups.js';
import { Storage } from './constructs/storage.js';
import { EnvironmentContext } from './context.js';

/** Props of {@link MarketplaceEnvironmentChart}. */
export interface MarketplaceEnvironmentChartProps {
  /** A validated, defaulted environment (api/validate.ts). */
  readonly env: MarketplaceEnvironment;
}

/**
 * Every child of one environment, in the namespace of the environment. A manifest without a namespace renders children
 * without one, so whoever applies them chooses it (`kubectl apply -n team-a`, an Argo CD destination namespace).
 */
export class MarketplaceEnvironmentChart extends Chart {
  constructor(scope: Construct, id: string, props: MarketplaceEnvironmentChartProps) {
    const { env } = props;
    // Names are explicit and deterministic: no cdk8s hash suffixes, so apply and prune see stable identities.
    super(scope, id, { namespace: env.metadata.namespace, disableResourceNameHashes: true });
    const ctx = new EnvironmentContext(env);
    const { spec } = env;
    const kms = new KmsKey(this, 'kms', { ctx });
    const network = new Network(this, 'network', { ctx });
    const sgs = new SecurityGroups(this, 'security-groups', { ctx, vpcName: network.vpcName });
    if (spec.database) {
      new Database(this, 'database', {
        ctx,
        spec: spec.database,
        subnetNames: network.subnetNames(spec.database.subnetTier),
        securityGroupName: sgs.name('db'),
        kmsKeyName: kms.name,
      });
    }
    if (spec.cache) {
      new Cache(this, 'cache', {
        ctx,
        spec: spec.cache,
        subnetNames: network.subnetNames(spec.cache.subnetTier),
        securityGroupName: sgs.name('cache'),
        kmsKeyName: kms.name,
      });
    }
    if (spec.storage) new Storage(this, 'storage', { ctx, spec: spec.storage, kmsKeyName: kms.name });
    const firewall = spec.firewall ? new Firewall(this, 'firewall', { ctx, spec: spec.firewall }) : undefined;
    if (spec.cdn) {
      new Cdn(this, 'cdn', { ctx, spec: spec.cdn, webAclName: spec.firewall?.scope === 'CLOUDFRONT' ? firewall?.name : undefined });
    }
    if (spec.secrets.length > 0) new AppSecrets(this, 'secrets', { ctx, secrets: spec.secrets, kmsKeyName: kms.name });
    let loadBalancer: LoadBalancer | undefined;
    if (spec.loadBalancer) {
      const requested = spec.loadBalancer.listeners.https?.certificate;
      const certificate = requested?.domainName
        ? new Certificate(this, 'certificate', { ctx, domainName: requested.domainName, subjectAlternativeNames: requested.subjectAlternativeNames })
        : undefined;
      loadBalancer = new LoadBalancer(this, 'load-balancer', {
        ctx,
        spec: spec.loadBalancer,
        subnetNames: network.firstSubnetNamesPerZone(spec.loadBalancer.subnetTier),
        securityGroupName: sgs.name('lb'),
        vpcName: network.vpcName,
        certificateName: certificate?.name,
        webAclName: spec.firewall?.scope === 'REGIONAL' ? firewall?.name : undefined,
      });
    }
    if (spec.registry) new Registry(this, 'registry', { ctx, spec: spec.registry });
    const containers = spec.compute?.containers;
    if (containers) {
      new Containers(this, 'containers', {
        ctx,
        spec: containers,
        subnetNames: network.subnetNames(containers.service.subnetTier),
        securityGroupName: sgs.name('app'),
        kmsKeyName: kms.name,
        targetGroupNames: loadBalancer?.targetGroupNames,
        loadBalancerName: loadBalancer?.name,
      });
    }
    const instances = spec.compute?.instances;
    if (instances) {
      new Instances(this, 'instances', {
        ctx,
        spec: instances,
        subnetNames: network.subnetNames(instances.subnetTier),
        securityGroupName: sgs.name('app'),
        targetGroupName: loadBalancer?.targetGroupNames.blue,
      });
    }
  }
}
