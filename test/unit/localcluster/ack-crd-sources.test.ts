// Where each ACK CRD comes from (localcluster/ack-crd-sources.ts), on a fixture repository, then on this one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { AckCrdSources, readPinnedServices, type KindRef } from '../../../localcluster/ack-crd-sources.js';
import { isCi, testRequiring } from '../../helpers/requirements.js';

const crd = (group: string, kind: string, plural: string): string =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata:\n  name: ${plural}.${group}`,
    `spec:\n  group: ${group}\n  names:\n    kind: ${kind}\n    plural: ${plural}\n  versions:\n  - name: v1alpha1`,
    '',
  ].join('\n');

const kind = (group: string, k: string): KindRef => ({ apiVersion: `${group}/v1alpha1`, kind: k });
const EC2 = 'ec2.services.k8s.aws';
const CLOUDFRONT = 'cloudfront.services.k8s.aws';
const VPC = kind(EC2, 'VPC');
const SUBNET = kind(EC2, 'Subnet');
const DISTRIBUTION = kind(CLOUDFRONT, 'Distribution');
const BUCKET = kind('s3.services.k8s.aws', 'Bucket');

describe('AckCrdSources on a fixture repository', () => {
  let base: string;
  let root: string;
  let pinnedDir: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'mpe-crd-sources-'));
    root = join(base, 'repo');
    pinnedDir = join(base, 'shared', 'ack-crds'); // the default: ../shared/ack-crds beside the repository
    write(join(root, 'hack/ack-versions.txt'), '# service pinned fallback\nec2 v2.0.0 v1.0.0\ncloudfront v7.0.0 -\ns3 v10.0.0 v3.0.0\n');
    // ec2: the proxy refused the pinned tag and served the fallback, which has no Subnet yet.
    write(join(root, '.cache/ack-crds/ec2/.tag'), 'pinned=v2.0.0 used=v1.0.0\n');
    write(join(root, `.cache/ack-crds/ec2/${EC2}_vpcs.yaml`), crd(EC2, 'VPC', 'vpcs'));
    write(join(root, '.cache/ack-crds/common/services.k8s.aws_fieldexports.yaml'), crd('services.k8s.aws', 'FieldExport', 'fieldexports'));
    // cloudfront: served at no tag. s3: never fetched.
    write(join(root, '.cache/ack-crds/cloudfront/.tag'), 'pinned=v7.0.0 used=none\n');
    write(join(pinnedDir, 'VERSIONS'), 'ec2-controller v2.0.0\ncloudfront-controller v7.0.0\n');
    write(join(pinnedDir, `ec2-controller/${EC2}_vpcs.yaml`), crd(EC2, 'VPC', 'vpcs'));
    write(join(pinnedDir, `ec2-controller/${EC2}_subnets.yaml`), crd(EC2, 'Subnet', 'subnets'));
    write(join(pinnedDir, `cloudfront-controller/${CLOUDFRONT}_distributions.yaml`), crd(CLOUDFRONT, 'Distribution', 'distributions'));
    write(join(pinnedDir, `cloudfront-controller/${CLOUDFRONT}_functions.yaml`), crd(CLOUDFRONT, 'Function', 'functions'));
    write(join(pinnedDir, 'common/services.k8s.aws_fieldexports.yaml'), crd('services.k8s.aws', 'FieldExport', 'fieldexports'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const sources = (env: Record<string, string | undefined> = {}) => new AckCrdSources({ root, env });
  const provided = (s: AckCrdSources, k: KindRef) => {
    const r = s.resolve(k);
    if (r.status !== 'provided') throw new Error(`${k.kind}: ${r.status}: ${r.reason}`);
    return r.crd;
  };

  test('reads hack/ack-versions.txt; "-" is no fallback; a short line is an error naming the file', () => {
    expect(readPinnedServices(root)).toEqual([
      { service: 'ec2', pinned: 'v2.0.0', fallback: 'v1.0.0' },
      { service: 'cloudfront', pinned: 'v7.0.0', fallback: undefined },
      { service: 's3', pinned: 'v10.0.0', fallback: 'v3.0.0' },
    ]);
    const bad = join(base, 'bad');
    write(join(bad, 'hack/ack-versions.txt'), 'ec2\n');
    expect(() => readPinnedServices(bad)).toThrow(join(bad, 'hack/ack-versions.txt'));
  });

  test('the proxy comes first, at the tag it served', () => {
    const vpc = provided(sources(), VPC);
    expect(vpc.file).toBe(join(root, `.cache/ack-crds/ec2/${EC2}_vpcs.yaml`));
    expect(vpc.source).toMatchObject({ origin: 'proxy', service: 'ec2', tag: 'v1.0.0' });
    expect(vpc.source.description).toBe('Go module proxy, ec2-controller v1.0.0 (pinned v2.0.0)');
  });

  test('the default directory provides what the proxy lacks: a kind newer than the fallback tag, a service it does not serve', () => {
    const s = sources();
    expect(s.dir).toBe(pinnedDir);
    expect(provided(s, SUBNET).source).toMatchObject({ origin: 'dir', service: 'ec2', tag: 'v2.0.0' });
    const dist = provided(s, DISTRIBUTION);
    expect(dist.file).toBe(join(pinnedDir, `cloudfront-controller/${CLOUDFRONT}_distributions.yaml`));
    expect(dist.source.description).toBe(`ACK_CRDS_DIR (${pinnedDir}), cloudfront-controller v7.0.0`);
    expect(s.unavailable([VPC, SUBNET, DISTRIBUTION])).toBeUndefined();
  });

  test('ACK_CRDS_DIR overrides the default', () => {
    const other = join(base, 'other');
    write(join(other, `cloudfront-controller/${CLOUDFRONT}_distributions.yaml`), crd(CLOUDFRONT, 'Distribution', 'distributions'));
    const s = sources({ ACK_CRDS_DIR: other });
    expect(provided(s, DISTRIBUTION).source).toMatchObject({ origin: 'dir', tag: 'unknown' });
    expect(provided(s, DISTRIBUTION).source.description).toContain('(pinned v7.0.0)');
    expect(s.resolve(SUBNET)).toMatchObject({ status: 'unavailable', reason: expect.stringContaining(`ACK_CRDS_DIR (${other}) has no ec2-controller/`) });
  });

  test.each([
    ['a path that does not exist', '/nonexistent', 'ACK_CRDS_DIR=/nonexistent does not exist'],
    ['empty', '', 'ACK_CRDS_DIR is empty'],
  ])('ACK_CRDS_DIR %s: what only the directory had is unavailable, with both reasons', (_what, value, reason) => {
    const s = sources({ ACK_CRDS_DIR: value });
    expect(s.dir).toBeUndefined();
    const fromProxy = 'the Go module proxy does not serve cloudfront-controller at v7.0.0, and no fallback tag is recorded';
    expect(s.resolve(DISTRIBUTION)).toEqual({ status: 'unavailable', kind: DISTRIBUTION, reason: `${fromProxy}; ${reason}`, fromProxy, fromDir: reason });
    expect(s.resolve(SUBNET)).toMatchObject({ status: 'unavailable', reason: expect.stringContaining("the Go module proxy's ec2-controller v1.0.0 has no Subnet v1alpha1") });
    expect(s.resolve(BUCKET)).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('s3-controller not fetched from the Go module proxy yet') });
    expect(s.unavailable([VPC, DISTRIBUTION, SUBNET])).toBe(
      `no CRD for ${CLOUDFRONT}/v1alpha1 Distribution: ${fromProxy}; ` +
        `no CRD for ${EC2}/v1alpha1 Subnet: the Go module proxy's ec2-controller v1.0.0 has no Subnet v1alpha1; ${reason}`,
    );
    expect(provided(s, VPC).source.origin).toBe('proxy');
  });

  test('a kind the pinned directory lacks, or a group outside hack/ack-versions.txt, is unknown (an error), not unavailable', () => {
    const s = sources();
    expect(s.resolve(kind(CLOUDFRONT, 'Distributon'))).toMatchObject({ status: 'unknown', reason: expect.stringContaining('have no Distributon v1alpha1') });
    expect(s.resolve({ apiVersion: `${CLOUDFRONT}/v1beta1`, kind: 'Distribution' })).toMatchObject({ status: 'unknown' });
    expect(s.resolve(kind('wafv2.services.k8s.aws', 'WebACL'))).toMatchObject({ status: 'unknown', reason: expect.stringContaining('not the API group of a service in hack/ack-versions.txt') });
    expect(s.unavailable([kind(CLOUDFRONT, 'Distributon')])).toBeUndefined();
  });

  test('installs every CRD the proxy served, plus the directory\'s for the kinds asked for that the proxy lacks', () => {
    const names = (env?: Record<string, string>) => sources(env).installSet([VPC, SUBNET, DISTRIBUTION]).map((c) => `${c.source.origin} ${c.name}`);
    expect(names()).toEqual([
      `proxy vpcs.${EC2}`,
      'proxy fieldexports.services.k8s.aws',
      `dir subnets.${EC2}`,
      `dir distributions.${CLOUDFRONT}`,
    ]);
    expect(names({ ACK_CRDS_DIR: '' })).toEqual([`proxy vpcs.${EC2}`, 'proxy fieldexports.services.k8s.aws']);
  });

  test('describes each service\'s source in one line', () => {
    expect(sources({ ACK_CRDS_DIR: '' }).describe()).toEqual([
      'ec2: Go module proxy, ec2-controller v1.0.0 (pinned v2.0.0)',
      'cloudfront: none (the Go module proxy does not serve cloudfront-controller at v7.0.0, and no fallback tag is recorded; ACK_CRDS_DIR is empty)',
      's3: none (s3-controller not fetched from the Go module proxy yet (bash hack/fetch-ack-crds.sh); ACK_CRDS_DIR is empty)',
    ]);
  });
});

describe('AckCrdSources on this repository', () => {
  const sources = new AckCrdSources();
  const resolutions = sources.resolveAll();

  test('every rendered kind is provided or unavailable here, never unknown', () => {
    expect(resolutions.length).toBeGreaterThan(0);
    expect(resolutions.filter((r) => r.status === 'unknown')).toEqual([]);
  });

  testRequiring(sources.dir ? undefined : `no directory of pinned ACK CRDs: ${sources.dirReason}`)(
    'every rendered kind has its pinned CRD in ACK_CRDS_DIR too (so the unit suite validates it against the pinned set)',
    () => {
      const pinned = new Set(sources.dirCrds().flatMap((c) => c.versions.map((v) => `${c.group}/${v} ${c.kind}`)));
      expect(CHILD_KINDS.map((k) => `${k.apiVersion} ${k.kind}`).filter((k) => !pinned.has(k))).toEqual([]);
    },
  );

  testRequiring(sources.unavailable())('every rendered kind has a CRD file, installed by the control plane', () => {
    const installed = new Set(sources.installSet().map((c) => c.file));
    for (const r of resolutions) {
      if (r.status !== 'provided') throw new Error(`${r.kind.kind}: ${r.reason}`);
      expect(installed).toContain(r.crd.file);
    }
  });
});

describe('CI detection (an unmet requirement fails instead of skipping)', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('CI=%p: %p', (value, expected) => {
    expect(isCi({ CI: value })).toBe(expected);
  });
});
