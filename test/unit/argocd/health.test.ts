// argocd/health.lua, run by a real Lua interpreter (Lua 5.1, like Argo CD's gopher-lua) on recorded
// MarketplaceEnvironment objects in test/fixtures/argocd/. Needs `bash hack/setup-lua.sh`: without an interpreter
// these tests fail (they do not skip).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { StatusSchema } from '../../../api/index.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';
import { findLua, toLua, type LuaInterpreter } from './lua.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const SCRIPT = join(root, 'argocd/health.lua');
const HARNESS = join(here, 'harness.lua');
const FIXTURES = join(root, 'test/fixtures/argocd');

/** Fixture → expected Argo CD health, and a piece of the message. */
const EXPECTED: Record<string, { status: string; message: string | RegExp }> = {
  'fresh.yaml': { status: 'Progressing', message: 'Waiting for the marketplace operator to report status' },
  'progressing.yaml': { status: 'Progressing', message: /^Reconciling: 2\/4 children ready; not ready: NATGateway\// },
  'waiting-for-dependencies.yaml': { status: 'Progressing', message: /^WaitingForDependencies: 0\/2 children ready/ },
  'ready.yaml': { status: 'Healthy', message: '3/3 children ready' },
  'stale-generation.yaml': { status: 'Progressing', message: 'Waiting for the operator to observe generation 3 (status is for generation 2)' },
  'ready-condition-stale.yaml': { status: 'Progressing', message: 'Waiting for the Ready condition of generation 3' },
  'degraded-terminal-child.yaml': {
    status: 'Degraded',
    message: '1 failed: DBCluster/marketplace-three-tier-db (InvalidParameterCombination: Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql)',
  },
  'degraded-stale.yaml': { status: 'Progressing', message: 'Waiting for the operator to observe generation 2 (status is for generation 1)' },
  'deleting.yaml': { status: 'Progressing', message: 'Deleting: deleting DBCluster, DBSubnetGroup; 7 children left' },
  'invalid-spec.yaml': { status: 'Degraded', message: 'spec.network.subnets: 9 subnets of /20 do not fit in 10.0.0.0/22' },
};

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validateStatus = ajv.compile(StatusSchema);

let lua: LuaInterpreter | undefined;
let work: string;

/** The interpreter, or a failure telling how to install one. */
function interpreter(): LuaInterpreter {
  if (!lua) throw new Error('no Lua interpreter (lua5.1 or lua) on PATH: run `bash hack/setup-lua.sh` (installs Debian lua5.1)');
  return lua;
}

/** Runs `script` on `object` through the harness; status, message, exit code and stderr. */
function runHealth(object: unknown, script = SCRIPT): { status: string; message: string; code: number | null; stderr: string } {
  const objectFile = join(work, `obj-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(objectFile, `return ${toLua(object)}\n`);
  const r = spawnSync(interpreter().command, [HARNESS, script, objectFile], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  const line = r.stdout.replace(/\n$/, '');
  const tab = line.indexOf('\t');
  return { status: tab < 0 ? line : line.slice(0, tab), message: tab < 0 ? '' : line.slice(tab + 1), code: r.status, stderr: r.stderr };
}

const fixture = (name: string) => parse(readFileSync(join(FIXTURES, name), 'utf8')) as { status?: unknown; metadata: { generation: number } };

beforeAll(() => {
  lua = findLua();
  work = mkdtempSync(join(tmpdir(), 'mpe-argocd-health-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a Lua interpreter is installed (bash hack/setup-lua.sh)', () => {
  expect(interpreter().version).toMatch(/^Lua /);
});

test('every fixture in test/fixtures/argocd has an expectation, and the required cases exist', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  expect(files).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(Object.entries(EXPECTED))('%s', (name, expected) => {
  test('status (if any) matches the CRD status schema', () => {
    const { status } = fixture(name);
    if (status === undefined) return;
    const ok = validateStatus(status);
    expect(ok ? [] : validateStatus.errors).toEqual([]);
  });

  test(`health is ${expected.status}`, () => {
    const r = runHealth(fixture(name));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.status).toBe(expected.status);
    if (typeof expected.message === 'string') expect(r.message).toBe(expected.message);
    else expect(r.message).toMatch(expected.message);
  });
});

describe('edge cases', () => {
  const ready = () => fixture('ready.yaml') as Manifest;

  test('Degraded=True wins over Ready=True', () => {
    const obj = ready();
    obj.status.conditions[2] = { ...obj.status.conditions[2], status: 'True', reason: 'ComponentFailed', message: 'ReplicationGroup/x (status is create-failed)' };
    expect(runHealth(obj)).toMatchObject({ status: 'Degraded', message: 'ReplicationGroup/x (status is create-failed)' });
  });

  test('a Ready condition without observedGeneration is not trusted', () => {
    const obj = ready();
    delete obj.status.conditions[0].observedGeneration;
    expect(runHealth(obj).status).toBe('Progressing');
  });

  test('an object without metadata.generation is never Healthy', () => {
    const obj = ready();
    delete obj.metadata.generation;
    expect(runHealth(obj).status).toBe('Progressing');
  });

  test('a status without conditions is Progressing, naming the phase', () => {
    expect(runHealth({ metadata: { generation: 1 }, status: { observedGeneration: 1, phase: 'Pending' } })).toMatchObject({
      status: 'Progressing',
      message: 'Waiting for the Ready condition (phase Pending)',
    });
  });

  test('deletionTimestamp alone means deleting', () => {
    const obj = ready();
    obj.metadata.deletionTimestamp = '2025-05-03T11:00:00Z';
    expect(runHealth(obj)).toMatchObject({ status: 'Progressing', message: 'Deleting: waiting for the operator to remove the children' });
  });

  test('strings with quotes, backslashes and non-ASCII reach Lua unchanged', () => {
    const obj = fixture('invalid-spec.yaml') as Manifest;
    const message = 'spec.tags.owner: "Zoë" \\ must be ≤ 63 chars\tand more';
    obj.status.conditions[2].message = message;
    expect(runHealth(obj)).toMatchObject({ status: 'Degraded', message });
  });
});

describe('the harness is as strict as Argo CD', () => {
  test('a script using the string library fails (argocd-cm scripts have no string/math libraries)', () => {
    const script = join(work, 'uses-string.lua');
    writeFileSync(script, 'local hs = {}\nhs.status = string.upper("healthy")\nreturn hs\n');
    const r = runHealth({}, script);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/health script failed/);
  });

  test('a script calling a string method fails', () => {
    const script = join(work, 'string-method.lua');
    writeFileSync(script, 'local hs = {}\nhs.status = ("Healthy"):sub(1)\nreturn hs\n');
    expect(runHealth({}, script).code).toBe(1);
  });

  test('a script returning a non-table fails', () => {
    const script = join(work, 'returns-string.lua');
    writeFileSync(script, 'return "Healthy"\n');
    expect(runHealth({}, script)).toMatchObject({ code: 1, stderr: expect.stringMatching(/not a table/) });
  });

  test('health.lua uses no syntax newer than Lua 5.1 and no library Argo CD leaves out', () => {
    const code = readFileSync(SCRIPT, 'utf8')
      .replace(/--.*$/gm, '') // comments
      .replace(/"(?:[^"\\\n]|\\.)*"/g, '""'); // string literals
    expect(code).not.toMatch(/\bgoto\b|::\w+::|\/\/|<<|>>|\bstring\.|\bmath\.|\butf8\.|\bio\.|\bdebug\.|\brequire\b/);
  });
});
