/** The chart of one MarketplaceEnvironment: composes one construct per concern. */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { MarketplaceEnvironment } from '../api/index.js';
import * as apigateway from '../imports/apigateway.services.k8s.aws.js';
import * as apigatewayv2 from '../imports/apigatewayv2.services.k8s.aws.js';
import { alarmCatalog } from './constructs/alarm-catalog.js';
import { AlarmTopic } from './constructs/alarm-topic.js';
import { AppSecrets } from './constructs/app-secrets.js';
import { Cache } from './constructs/cache.js';
import { Cdn } from './constructs/cdn.js';
import { Certificate } from './constructs/certificate.js';
import { Containers } from './constructs/containers.js';
import { Dashboard } from './constructs/dashboard.js';
import { Database } from './constructs/database.js';
import { DatabaseProxy } from './constructs/database-proxy.js';
import { Dns } from './constructs/dns.js';
import { Firewall } from './constructs/firewall.js';
import { CentralLogGroup } from './constructs/central-log-group.js';
import { FunctionLayers } from './constructs/function-layers.js';
import { Functions } from './constructs/functions.js';
import { HttpApi } from './constructs/http-api.js';
import { Instances } from './constructs/instances.js';
import { KmsAlias } from './constructs/kms-alias.js';
import { KmsKey } from './constructs/kms-key.js';
import { LoadBalancer } from './constructs/load-balancer.js';
import { MetricAlarms } from './constructs/metric-alarms.js';
import { Network } from './constructs/network.js';
import { Registry } from './constructs/registry.js';
import { SecurityGroups } from './constructs/security-groups.js';
import { RestApi } from './constructs/rest-api.js';
import { Storage } from './constructs/storage.js';
import { Tables } from './constructs/tables.js';
import { UserPool } from './constructs/user-pool.js';
import { VpcEndpoints } from './constructs/vpc-endpoints.js';
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
    // The key policy and a logs bucket's policy read the account id from the VPC (encryption.logs, loadBalancer.accessLogs).
    const kms = new KmsKey(this, 'kms', { ctx, vpcName: Network.vpcName(ctx) });
    const network = new Network(this, 'network', { ctx });
    if (spec.encryption.alias) new KmsAlias(this, 'kms-alias', { ctx, kmsKeyName: kms.name });
    const sgs = new SecurityGroups(this, 'security-groups', { ctx, vpcName: network.vpcName });
    const endpoints = spec.network.endpoints;
    if (endpoints) {
      new VpcEndpoints(this, 'endpoints', {
        ctx,
        spec: endpoints,
        vpcName: network.vpcName,
        // Gateway endpoints serve the tiers without an internet gateway route: private and isolated.
        routeTableNames: [...network.routeTableNames('private'), ...network.routeTableNames('isolated')],
        subnetNames: network.firstSubnetNamesPerZone(endpoints.subnetTier),
      });
    }
    if (spec.database) {
      new Database(this, 'database', {
        ctx,
        spec: spec.database,
        subnetNames: network.subnetNames(spec.database.subnetTier),
        securityGroupName: sgs.name('db'),
        kmsKeyName: kms.name,
      });
      if (spec.database.proxy) {
        new DatabaseProxy(this, 'database-proxy', {
          ctx,
          spec: spec.database,
          subnetNames: network.subnetNames(spec.database.subnetTier),
          vpcName: network.vpcName,
          appSecurityGroupName: sgs.name('app'),
          kmsKeyName: kms.name,
        });
      }
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
    if (spec.storage) new Storage(this, 'storage', { ctx, spec: spec.storage, kmsKeyName: kms.name, vpcName: network.vpcName });
    const firewall = spec.firewall ? new Firewall(this, 'firewall', { ctx, spec: spec.firewall }) : undefined;
    if (spec.cdn) {
      new Cdn(this, 'cdn', { ctx, spec: spec.cdn, webAclName: spec.firewall?.scope === 'CLOUDFRONT' ? firewall?.name : undefined });
    }
    if (spec.secrets.length > 0) new AppSecrets(this, 'secrets', { ctx, secrets: spec.secrets, kmsKeyName: kms.name });
    if (spec.identity) new UserPool(this, 'identity', { ctx, spec: spec.identity });
    let loadBalancer: LoadBalancer | undefined;
    let certificate: Certificate | undefined;
    if (spec.loadBalancer) {
      const requested = spec.loadBalancer.listeners.https?.certificate;
      certificate = requested?.domainName
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
    this.renderServerless(ctx, network, sgs, kms);
    if (spec.dns) {
      new Dns(this, 'dns', {
        ctx,
        spec: spec.dns,
        loadBalancerName: loadBalancer?.name,
        distributionName: spec.cdn ? ctx.names.distribution() : undefined,
        certificate,
      });
    }
    if (spec.monitoring) {
      // One catalog of the environment's metrics feeds both the alarms and the dashboard.
      const catalog = alarmCatalog(ctx, spec.monitoring);
      const topics = new AlarmTopic(this, 'alarm-topic', { ctx, spec: spec.monitoring });
      new MetricAlarms(this, 'alarms', { ctx, catalog, topics });
      if (spec.monitoring.dashboard.enabled) new Dashboard(this, 'dashboard', { ctx, spec: spec.monitoring.dashboard, catalog });
    }
  }

  /** Tables, layers, functions, the central log group and the API. */
  private renderServerless(ctx: EnvironmentContext, network: Network, sgs: SecurityGroups, kms: KmsKey): void {
    const { spec } = ctx;
    if (spec.tables.length > 0) new Tables(this, 'tables', { ctx, specs: spec.tables, kmsKeyName: kms.name });
    if (spec.layers.length > 0) new FunctionLayers(this, 'layers', { ctx, specs: spec.layers });
    if (spec.logGroup) new CentralLogGroup(this, 'log-group', { ctx, spec: spec.logGroup });
    const api = spec.api;
    if (spec.functions.length > 0) {
      new Functions(this, 'functions', {
        ctx,
        specs: spec.functions,
        subnetNames: (tier) => network.subnetNames(tier),
        securityGroupName: sgs.name('app'),
        kmsKeyName: kms.name,
        invokedByApi: new Set(api?.routes.map((r) => r.function) ?? []),
        apiSource: api && (api.type === 'REST'
          ? { from: { ...apigateway.RestApi.GVK, name: RestApi.resourceName(ctx) }, fieldPath: 'status.id' }
          : { from: { ...apigatewayv2.Api.GVK, name: HttpApi.resourceName(ctx) }, fieldPath: 'status.apiID' }),
      });
    }
    if (api?.type === 'REST') new RestApi(this, 'api', { ctx, spec: api });
    else if (api) new HttpApi(this, 'api', { ctx, spec: api });
  }
}
