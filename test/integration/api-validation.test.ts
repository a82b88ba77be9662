/**
 * The real API server accepts every example and rejects every invalid spec of the shared table (OpenAPI + CEL), with
 * a message naming the field. (The objects rendered from the examples meet the ACK CRDs in crds.test.ts.)
 */
import { validateEnvironment } from '../../api/index.js';
import { exampleEnvironments } from '../../cli/examples.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { INVALID_CASES, invalidManifest, validApplicationBase, validBase, validDnsBase, validIdentityBase, validMonitoringBase, validServerlessBase, withInstances, type Manifest } from '../fixtures/invalid-specs.js';
import { loadTestKubeConfig, statusOf, uniqueName } from './helpers/kube.js';

const kc = loadTestKubeConfig();
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-integration-test', fieldValidation: 'Strict' });
const namespace = uniqueName('api-validation');
/** Every environment of every example (a file may hold several, one per region), under its own name in this namespace. */
const examples = exampleEnvironments().map((e) => [`${e.file} ${e.manifest.metadata.name}`, { ...e.manifest, metadata: { name: e.manifest.metadata.name, namespace } } as Manifest] as const);

/** The server's message of a rejected request. */
function messageOf(err: unknown): string {
  const body = (err as { body?: { message?: string } | string }).body;
  return typeof body === 'object' && body?.message ? body.message : String(body ?? (err as Error).message);
}

async function rejection(manifest: Manifest): Promise<{ code?: number; message: string }> {
  try {
    await kube.apply({ ...manifest, metadata: { ...manifest.metadata, namespace } } as never);
  } catch (err) {
    return { code: statusOf(err), message: messageOf(err) };
  }
  return { message: 'accepted' };
}

beforeAll(async () => {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
});

afterAll(async () => {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('MarketplaceEnvironment admission', () => {
  it.each(examples)('accepts example %s', async (_label, manifest) => {
    const applied = (await kube.apply(manifest as never)) as { metadata?: { uid?: string } };
    expect(applied.metadata?.uid).toEqual(expect.any(String));
  });

  it.each([
    ['the base', validBase],
    ['the application base (containers)', validApplicationBase],
    ['the application base with instances', (n: string) => withInstances(validApplicationBase(n))],
    ['the serverless base', validServerlessBase],
    ['the DNS base', validDnsBase],
    ['the monitoring base', validMonitoringBase],
    ['the identity base', validIdentityBase],
  ] as const)('accepts %s of the invalid table', async (_name, base) => {
    expect((await rejection(base(uniqueName('base')))).message).toBe('accepted');
  });

  it('has at least 20 invalid cases the API server must reject', () => {
    expect(INVALID_CASES.filter((c) => !c.renderOnly).length).toBeGreaterThanOrEqual(20);
  });

  it.each(INVALID_CASES.filter((c) => !c.renderOnly).map((c) => [c.name, c] as const))('rejects %s, naming the field', async (_name, c) => {
    const { code, message } = await rejection(invalidManifest(c, uniqueName('invalid')));
    expect(message).toContain(c.ssaField ?? c.field);
    // 422 Invalid for schema and CEL errors; SSA reports an undeclared field as 500 (kubernetes/kubernetes#139253).
    expect([422, 500]).toContain(code);
  });

  it.each(INVALID_CASES.filter((c) => c.renderOnly).map((c) => [c.name, c] as const))('accepts %s, which only render can check (the controller reports it)', async (_name, c) => {
    expect((await rejection(invalidManifest(c, uniqueName('render-only')))).message).toBe('accepted');
    expect(() => validateEnvironment(invalidManifest(c))).toThrow(c.field);
  });

  it.each([
    ['region', (m: Manifest) => { m.spec.region = 'us-west-2'; m.spec.network.availabilityZones = ['us-west-2a', 'us-west-2b']; }],
    ['vpcCIDR', (m: Manifest) => { m.spec.network.vpcCIDR = '10.99.0.0/16'; }],
    ['environmentSuffix', (m: Manifest) => { m.spec.environmentSuffix = 'other'; }],
    ['encryption.logs', (m: Manifest) => { m.spec.encryption = { logs: true }; }],
  ] as const)('refuses to change %s after creation', async (field, change) => {
    const m = validBase(uniqueName('immutable'));
    await kube.apply({ ...m, metadata: { ...m.metadata, namespace } } as never);
    change(m);
    const { code, message } = await rejection(m);
    expect(code).toBe(422);
    expect(message).toContain(`${field} is immutable`);
  });
});
