/**
 * The container build, replayed outside Docker (Docker cannot run here) from the Dockerfile itself:
 * - build stage: the files its COPY lines name are copied into an empty directory (so a source the build needs but
 *   the Dockerfile forgets fails here), node_modules stands in for `npm install`, and `npm run build` runs there;
 * - runtime stage: its COPY lines are replayed into another empty directory, with a node_modules holding only the
 *   production dependency tree (`npm ls --omit=dev`, linked, resolved with --preserve-symlinks so nothing outside it is
 *   found), and the entry point of its CMD starts under plain node: `--help` loads every module of the controller.
 * Plus static checks: the runtime stage copies exactly the directories the entry point's import graph reaches, and
 * every package it imports is a production dependency.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RUN_AS_USER } from '../../../charts/install/index.js';
import { ROOT } from '../helpers/ack-schemas.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith('FROM '));
const buildStage = stages.find((s) => /^FROM \S+ AS build$/m.test(s))!;
const runtimeStage = stages.at(-1)!;
/** `COPY` instructions of a stage as [flags, sources, destination]. */
const copies = (stage: string) =>
  [...stage.matchAll(/^COPY (.+)$/gm)].map((m) => {
    const words = m[1]!.trim().split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const rest = words.filter((w) => !w.startsWith('--'));
    return { from: flags.find((f) => f.startsWith('--from='))?.slice(7), sources: rest.slice(0, -1), dest: rest.at(-1)! };
  });
const ENTRY = /^CMD \[.*"([^"]+\.js)"\]$/m.exec(runtimeStage)?.[1] ?? 'missing CMD';

const src = mkdtempSync(join(tmpdir(), 'mpe-docker-build-')); // the build stage's /src
const app = mkdtempSync(join(tmpdir(), 'mpe-docker-app-')); // the runtime stage's /app

async function sh(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return (await run(file, args, { cwd, env, timeout: 170_000, maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`.slice(0, 4000), { cause: err });
  }
}

/** Relative and bare import specifiers of a compiled ES module (static and dynamic). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** Files reachable from `entry` through relative imports, and the bare specifiers they use. */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  }
  return { files: [...seen], bare };
}

const packageName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

/** A node_modules with only the production tree: links to the top-level packages `npm ls --omit=dev` lists. */
async function productionNodeModules(target: string): Promise<number> {
  const out = await sh('npm', ['ls', '--omit=dev', '--all', '--parseable'], ROOT);
  const top = new Set(
    out.split('\n').map((p) => relative(join(ROOT, 'node_modules'), p.trim())).filter((p) => p && !p.startsWith('..') && !p.includes('node_modules')),
  );
  for (const name of top) {
    mkdirSync(dirname(join(target, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(target, name), 'dir');
  }
  return top.size;
}

describe('Docker build replayed outside Docker', () => {
  let packages = 0;

  beforeAll(async () => {
    // build stage
    expect(buildStage).toMatch(/^RUN npm ci /m);
    expect(buildStage).toMatch(/^RUN npm run build$/m);
    for (const { from, sources, dest } of copies(buildStage)) {
      expect(from).toBeUndefined();
      for (const source of sources) cpSync(join(ROOT, source), join(src, dest, dest.endsWith('/') && !source.endsWith('/') ? source : ''), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir'); // stands in for `npm ci`
    await sh('npm', ['run', 'build'], src);
    // runtime stage
    for (const { from, sources, dest } of copies(runtimeStage)) {
      const target = join(app, dest);
      if (from === 'deps') {
        expect([sources, dest]).toEqual([['/app/node_modules'], './node_modules']);
        packages = await productionNodeModules(target);
      } else if (from === 'build') {
        for (const source of sources) cpSync(join(src, relative('/src', source)), target, { recursive: true });
      } else {
        for (const source of sources) cpSync(join(ROOT, source), join(target, source), { recursive: true });
      }
    }
  }, 180_000);

  afterAll(() => {
    rmSync(src, { recursive: true, force: true });
    rmSync(app, { recursive: true, force: true });
  });

  it('build is the tsc compile the Dockerfile runs', () => {
    expect(pkg.scripts.build).toBe('rm -rf build && tsc -p tsconfig.json --outDir build');
  });

  it('the runtime image layout starts the entry point under plain node with production dependencies only', async () => {
    expect(packages).toBeGreaterThan(20);
    const stdout = await sh(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', '--enable-source-maps', ENTRY, '--help'], app, {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
    });
    expect(stdout).toContain('marketplace-operator controller');
    expect(stdout).toContain('METRICS_BIND_ADDRESS');
    // The layout really hides development dependencies (else the check above would prove nothing).
    const probe = (name: string) => sh(process.execPath, ['--preserve-symlinks', '--input-type=module', '-e', `await import('${name}')`], app, { PATH: process.env.PATH });
    await expect(probe('tsx')).rejects.toThrow(/Cannot find package 'tsx'/);
    await expect(probe('typescript')).rejects.toThrow(/Cannot find package 'typescript'/);
    await probe('prom-client');
  }, 60_000);

  it('the runtime stage copies exactly the directories the entry point reaches', () => {
    const { files } = importGraph(join(src, ENTRY));
    const dirs = [...new Set(files.map((f) => relative(join(src, 'build'), f).split('/')[0]!))].sort();
    const copied = copies(runtimeStage).filter((c) => c.from === 'build').flatMap((c) => c.sources.map((s) => relative('/src/build', s))).sort();
    expect(dirs).toEqual(copied);
    expect(dirs).toEqual(['api', 'charts', 'controllers', 'imports']);
  });

  it('every package the entry point imports is a production dependency', () => {
    const { bare } = importGraph(join(src, ENTRY));
    const imported = [...new Set([...bare].filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).map(packageName))].sort();
    expect(imported.filter((p) => !(p in pkg.dependencies))).toEqual([]);
    expect(imported).toEqual(expect.arrayContaining(['@kubernetes/client-node', 'pino', 'prom-client']));
  });

  it('the Dockerfile is multi-stage on Node 20, installs production dependencies only and runs as the pod spec user', () => {
    expect(stages).toHaveLength(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20[-.]/m);
    expect(dockerfile).toMatch(/^ARG RUNTIME_IMAGE=\S*nodejs20\S*/m);
    expect(stages[1]).toMatch(/^RUN npm ci --omit=dev /m);
    expect(runtimeStage).toContain(`USER ${RUN_AS_USER}:${RUN_AS_USER}`);
    expect(ENTRY).toBe('build/controllers/run.js');
  });
});
