/**
 * Rendering is pure: charts/ and api/ never import the Kubernetes client, controllers/ or I/O modules, and never read
 * the clock, randomness or the process environment. A grep over the files, kept as a test beside the same rules in
 * eslint.config.js (no-restricted-imports/-properties/-syntax on charts/ and api/), which `npm test` also runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers/ack-schemas.js';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const pure = [...sources('charts'), ...sources('api')];
const FORBIDDEN: readonly [RegExp, string][] = [
  [/from '@kubernetes\/client-node'/, 'imports the Kubernetes client'],
  [/from '(\.\.\/)+controllers\//, 'imports controllers/'],
  [/from '(\.\.\/)+localcluster\//, 'imports localcluster/'],
  [/from 'node:(fs|net|http|https|child_process|os|crypto)'/, 'imports an I/O module'],
  [/\bDate\.now\(|new Date\(/, 'reads the clock'],
  [/Math\.random\(/, 'uses randomness'],
  [/process\.env/, 'reads the environment'],
];

describe('pure rendering', () => {
  it('has sources to check', () => {
    expect(pure.length).toBeGreaterThan(20);
  });

  it.each(pure.map((f) => [relative(ROOT, join(ROOT, f))]))('%s is pure', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const problems = FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
    expect(problems).toEqual([]);
  });
});
