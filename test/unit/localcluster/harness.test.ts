// The parts of localcluster/ that need no cluster: kubeconfig rendering, CRD discovery, ports, process groups.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { generateCredentials } from '../../../localcluster/credentials.js';
import { listCrdFiles, loadCrds } from '../../../localcluster/crds.js';
import { renderKubeconfig } from '../../../localcluster/kubeconfig.js';
import { freePorts } from '../../../localcluster/net.js';
import { isAlive, spawnComponent, stopComponent } from '../../../localcluster/processes.js';

const crd = (name: string): string =>
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}\n`;

describe('localcluster', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mpe-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('renders a kubeconfig client-node loads, with the token and the CA', () => {
    const yaml = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'PEM', user: 'admin', token: 't0k' });
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe('PEM');
    expect(kc.getCurrentUser()?.token).toBe('t0k');
  });

  test('token file puts both identities in system:masters; SA keys are PEM', () => {
    const creds = generateCredentials(dir);
    const rows = readFileSync(creds.tokenFile, 'utf8').trim().split('\n');
    expect(rows).toEqual([
      `${creds.admin.token},mpe-admin,mpe-admin,"system:masters"`,
      `${creds.controllerManager.token},system:kube-controller-manager,system:kube-controller-manager,"system:masters"`,
    ]);
    expect(readFileSync(creds.saPublicKeyFile, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(readFileSync(creds.saPrivateKeyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test('CRD files: every .cache/ack-crds/<service>/*.yaml of a pinned service (incl. common/) and crds/*.yaml, nothing else', () => {
    for (const sub of ['.cache/ack-crds/s3', '.cache/ack-crds/unpinned', '.cache/ack-crds/common', 'crds', 'hack', 'other']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'hack/ack-versions.txt'), 's3 x -\n');
    writeFileSync(join(dir, '.cache/ack-crds/unpinned/things.yaml'), crd('things.unpinned.services.k8s.aws'));
    writeFileSync(join(dir, '.cache/ack-crds/s3/buckets.yaml'), crd('buckets.s3.services.k8s.aws'));
    writeFileSync(join(dir, '.cache/ack-crds/s3/.tag'), 'pinned=x used=y\n');
    writeFileSync(join(dir, '.cache/ack-crds/common/fe.yaml'), crd('fieldexports.services.k8s.aws'));
    writeFileSync(join(dir, 'crds/ours.yaml'), `# comment\n---\n${crd('a.example.com')}---\n${crd('b.example.com')}`);
    writeFileSync(join(dir, 'other/ignored.yaml'), crd('ignored.example.com'));
    const names = loadCrds(listCrdFiles(dir, { ACK_CRDS_DIR: '' })).map((c) => c.name);
    expect(names.sort()).toEqual(['a.example.com', 'b.example.com', 'buckets.s3.services.k8s.aws', 'fieldexports.services.k8s.aws']);
  });

  test('a CRD file without a CustomResourceDefinition is an error naming the file', () => {
    const file = join(dir, 'x.yaml');
    writeFileSync(file, 'kind: ConfigMap\n');
    expect(() => loadCrds([file])).toThrow(`${file}: no CustomResourceDefinition`);
  });

  test('freePorts returns distinct loopback ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });

  test('stopComponent kills the whole process group, including forked children', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // The shell forks a grandchild: it is in the same process group and must die with it.
    const component = spawnComponent('sh', 'sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], dir);
    let grandchild = 0;
    for (let i = 0; i < 50 && !grandchild; i++) {
      await new Promise((r) => setTimeout(r, 50));
      grandchild = Number(readFileSync(pidFile, { encoding: 'utf8', flag: 'a+' }).trim() || 0);
    }
    expect(isAlive(grandchild)).toBe(true);
    await stopComponent(component, 2_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(component.pid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });
});
