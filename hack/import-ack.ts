/**
 * `npm run import`: generates the typed cdk8s bindings in imports/, one TypeScript module per ACK API group, for every
 * kind in IMPORTS (the kinds the charts render or are about to render). Each kind's CRD comes from the source
 * localcluster/ack-crd-sources.ts picks: the Go module proxy's CRDs (fetched first by hack/fetch-ack-crds.sh), else the
 * pinned upstream CRDs in ACK_CRDS_DIR. A kind no source has stops the import before anything is written.
 *
 * The CRDs of a group are written to .cache/ack-import/<group>.yaml (the inputs cdk8s.yaml lists) and run through
 * `cdk8s import`; each module's header names the source and tag of every kind in it, without machine paths, so the
 * output depends only on the CRDs and the cdk8s-cli version: two runs give identical files.
 * With --check, nothing is written to imports/ and the exit status is 1 when a module there differs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { AckCrdSources, type AckCrd } from '../localcluster/ack-crd-sources.js';
import { REPO_ROOT } from '../localcluster/paths.js';

/** The kinds to import, by ACK service (API group `<service>.services.k8s.aws`), in module order. */
const IMPORTS: Readonly<Record<string, readonly string[]>> = {
  ec2: ['VPC', 'Subnet', 'InternetGateway', 'ElasticIPAddress', 'NATGateway', 'RouteTable', 'SecurityGroup', 'LaunchTemplate', 'VPCEndpoint'],
  rds: ['DBSubnetGroup', 'DBCluster', 'DBInstance', 'DBProxy'],
  elasticache: ['CacheSubnetGroup', 'ReplicationGroup'],
  s3: ['Bucket'],
  secretsmanager: ['Secret'],
  kms: ['Key', 'Alias'],
  cloudfront: ['Distribution', 'OriginAccessControl'],
  wafv2: ['WebACL'],
  elbv2: ['LoadBalancer', 'Listener', 'TargetGroup', 'Rule'],
  iam: ['Role', 'Policy', 'InstanceProfile'],
  ecr: ['Repository'],
  ecs: ['Cluster', 'TaskDefinition', 'Service'],
  applicationautoscaling: ['ScalableTarget', 'ScalingPolicy'],
  autoscaling: ['AutoScalingGroup'],
  acm: ['Certificate'],
  cloudwatchlogs: ['LogGroup'],
  dynamodb: ['Table'],
  lambda: ['Function', 'LayerVersion', 'Alias'],
  apigatewayv2: ['API', 'Integration', 'Route', 'Stage'],
  apigateway: ['RestAPI', 'Resource', 'Method', 'Integration', 'Deployment', 'Stage'],
  cognitoidentityprovider: ['UserPool'],
  route53: ['HostedZone', 'RecordSet'],
  cloudwatch: ['MetricAlarm', 'Dashboard'],
  sns: ['Topic', 'Subscription'],
};

const VERSION = 'v1alpha1';
const IMPORTS_DIR = join(REPO_ROOT, 'imports');
const WORK_DIR = join(REPO_ROOT, '.cache', 'ack-import');
/** Relative to the repository root, as cdk8s.yaml lists them. */
const inputOf = (group: string): string => `.cache/ack-import/${group}.yaml`;
const moduleOf = (group: string): string => `${group}.ts`;

const log = (line: string): void => void process.stdout.write(`import-ack: ${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`import-ack: ${message}\n`);
  process.exit(1);
};

/**
 * The source of a CRD for a module header: origin, tag and the pinned tag when it differs; no path (the header must
 * not depend on the machine).
 */
function sourceLabel(crd: AckCrd, pinned: ReadonlyMap<string, string>): string {
  const where = crd.source.origin === 'proxy' ? 'Go module proxy' : 'ACK_CRDS_DIR';
  const pin = pinned.get(crd.source.service);
  return `${where}, ${crd.source.service}-controller ${crd.source.tag}${pin && pin !== crd.source.tag ? ` (pinned ${pin})` : ''}`;
}

/** Every kind of IMPORTS with its CRD, by group; fails naming each kind no source provides. */
function resolveAll(sources: AckCrdSources): Map<string, AckCrd[]> {
  const byGroup = new Map<string, AckCrd[]>();
  const missing: string[] = [];
  for (const [service, kinds] of Object.entries(IMPORTS)) {
    const group = `${service}.services.k8s.aws`;
    const crds: AckCrd[] = [];
    for (const kind of kinds) {
      const r = sources.resolve({ apiVersion: `${group}/${VERSION}`, kind });
      if (r.status !== 'provided') {
        missing.push(`${group}/${VERSION} ${kind}: ${r.reason}`);
        continue;
      }
      log(`${service} ${kind} (${r.crd.name}) from ${r.crd.source.description}`);
      crds.push(r.crd);
    }
    byGroup.set(group, crds);
  }
  if (missing.length > 0) fail(`no CRD for ${missing.length} kind(s), nothing imported:\n  ${missing.join('\n  ')}`);
  return byGroup;
}

/** cdk8s.yaml documents the inputs: its `imports:` must be exactly the files this script feeds to cdk8s import. */
function checkCdk8sYaml(groups: readonly string[]): void {
  const listed = ((parse(readFileSync(join(REPO_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] }).imports ?? []).join('\n');
  const wanted = groups.map(inputOf).join('\n');
  if (listed !== wanted) fail(`cdk8s.yaml imports: must list, in this order:\n${wanted}\ngot:\n${listed}`);
}

/** The module header: what generated it and where each kind's CRD came from. */
function header(crds: readonly AckCrd[], pinned: ReadonlyMap<string, string>): string {
  const bySource = new Map<string, string[]>();
  for (const crd of crds) {
    const label = sourceLabel(crd, pinned);
    bySource.set(label, [...(bySource.get(label) ?? []), crd.kind]);
  }
  const lines = [...bySource].map(([label, kinds]) => `//   ${kinds.join(', ')}: ${label}`);
  return ['// Generated by `npm run import` (hack/import-ack.ts, cdk8s import) from the ACK CRDs: do not edit.', ...lines].join('\n');
}

/** Runs cdk8s import for one group into `outDir`, returns the module text with its header. */
function generate(group: string, crds: readonly AckCrd[], pinned: ReadonlyMap<string, string>, outDir: string): string {
  const input = join(REPO_ROOT, inputOf(group));
  writeFileSync(input, crds.map((crd) => stringify(crd.object)).join('---\n'));
  try {
    // --no-save: cdk8s import would otherwise rewrite cdk8s.yaml (dropping its comments). CDK8S_CHECK_UPGRADE=false:
    // the CLI's upgrade check needs the network and only prints noise offline.
    const args = ['import', inputOf(group), '--no-save', '--language', 'typescript', '--output', outDir];
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'), args, {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: Buffer; stderr?: Buffer };
    fail(`cdk8s import of ${group} failed:\n${stdout.toString()}${stderr.toString()}`);
  }
  const generated = readFileSync(join(outDir, moduleOf(group)), 'utf8');
  const first = '// generated by cdk8s\n';
  if (!generated.startsWith(first)) fail(`cdk8s import of ${group}: expected the module to start with "${first.trim()}"`);
  return `${header(crds, pinned)}\n${generated.slice(first.length)}`;
}

function main(): void {
  const check = process.argv.includes('--check');
  execFileSync('bash', [join(REPO_ROOT, 'hack', 'fetch-ack-crds.sh')], { stdio: 'inherit' });
  const sources = new AckCrdSources();
  const pinned = new Map(sources.services.map((s) => [s.service, s.pinned]));
  const byGroup = resolveAll(sources);
  checkCdk8sYaml([...byGroup.keys()]);
  rmSync(WORK_DIR, { recursive: true, force: true });
  const outDir = join(WORK_DIR, 'out');
  mkdirSync(outDir, { recursive: true });
  const modules = new Map([...byGroup].map(([group, crds]) => [moduleOf(group), generate(group, crds, pinned, outDir)]));

  // A module of a group no longer imported is stale.
  const stale = readdirSync(IMPORTS_DIR).filter((f) => f.endsWith('.services.k8s.aws.ts') && !modules.has(f));
  const changed = [...modules].filter(([file, text]) => readFileIfAny(join(IMPORTS_DIR, file)) !== text).map(([file]) => file);
  if (check) {
    if (changed.length + stale.length > 0) fail(`imports/ is stale (${[...changed, ...stale].join(', ')}): run npm run import`);
    log('imports/ is up to date');
    return;
  }
  for (const file of stale) rmSync(join(IMPORTS_DIR, file));
  for (const [file, text] of modules) writeFileSync(join(IMPORTS_DIR, file), text);
  log(`${modules.size} modules in imports/; changed: ${[...changed, ...stale].join(', ') || 'none'}`);
}

function readFileIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

main();
