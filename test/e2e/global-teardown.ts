/** Jest globalTeardown of the `e2e` project: stops the stack of global-setup.ts and records the suite duration. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { E2eStack } from './stack.js';

const E2E_STACK = Symbol.for('mpe.e2e.stack');
/** Same as helpers/results.ts (not imported: this file is loaded without the TypeScript path mapping). */
const RESULTS_PATH = new URL('../../docs/e2e-results.md', import.meta.url);
const DURATION_PLACEHOLDER = 'Suite duration: (written by the global teardown)';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const stack = globals[E2E_STACK] as E2eStack | undefined;
  if (!stack) return;
  delete globals[E2E_STACK];
  await stack.stop();
  const seconds = Math.round((Date.now() - stack.info.startedAt) / 1000);
  const line = `Suite duration: ${seconds} s (global setup to teardown, stack start and stop included).`;
  process.stderr.write(`[e2e] ${line}\n`);
  if (existsSync(RESULTS_PATH)) {
    const doc = readFileSync(RESULTS_PATH, 'utf8');
    // Only the page this run wrote (it names the run's start time).
    if (doc.includes(new Date(stack.info.startedAt).toISOString())) writeFileSync(RESULTS_PATH, doc.replace(DURATION_PLACEHOLDER, line));
  }
}
