/**
 * Jest globalSetup of the `e2e` project: starts the e2e stack once for the suite (test/e2e/stack.ts: control plane,
 * reference CRDs, moto, every built ACK controller) and exports its description to the test files (test/e2e/env.ts).
 * A failed start stops what it started (and Jest runs no teardown then); SIGINT/SIGTERM/exit of Jest stop it too
 * (localcluster/lifecycle.ts).
 */
import { tsImport } from 'tsx/esm/api';
import type { E2eStack } from './stack.js';

type StackModule = typeof import('./stack.js');

/** Where global-teardown.ts finds the stack (both run in Jest's main process). */
const E2E_STACK = Symbol.for('mpe.e2e.stack');

export default async function globalSetup(): Promise<void> {
  // Loaded through tsx: Jest's CommonJS require hook cannot resolve our `.js`-suffixed TypeScript imports.
  const { startE2eStack, exportInfo } = (await tsImport('./stack.ts', import.meta.url)) as StackModule;
  const stack: E2eStack = await startE2eStack();
  (globalThis as Record<symbol, unknown>)[E2E_STACK] = stack;
  exportInfo(stack.info);
}
