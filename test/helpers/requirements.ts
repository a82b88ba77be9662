/**
 * Tests that need something this machine may lack (a CRD no source could provide, ...). Such a test is never passed
 * over: when its requirement is unmet it is skipped with the reason in its title, which Jest reports as skipped and
 * hack/test.sh lists in its summary; under CI=true it fails instead, naming what is missing.
 */
import { test } from '@jest/globals';

/** A test body, as Jest takes it. */
type TestFn = Parameters<typeof test>[1];

/** `test`, or its skipped / failing stand-in: same call shape. */
export type RequiringTest = (name: string, fn: TestFn, timeout?: number) => void;

/** True when CI is set (any value but empty, `false` or `0`): an unmet requirement then fails. */
export function isCi(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return Boolean(ci) && ci !== 'false' && ci !== '0';
}

/**
 * The `test` to declare a test with, given what it needs that is missing (`unmet`: undefined or empty when nothing
 * is). Met: Jest's `test`. Unmet: `test.skip`, titled `<name> [skipped: <unmet>]`; under CI=true a test of that title
 * that fails with `<unmet>` instead.
 */
export function testRequiring(unmet: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): RequiringTest {
  if (!unmet) return (name, fn, timeout) => test(name, fn, timeout);
  if (isCi(env)) {
    return (name) =>
      test(`${name} [missing: ${unmet}]`, () => {
        throw new Error(`missing: ${unmet} (CI is set, so a missing requirement fails instead of skipping the test)`);
      });
  }
  return (name, fn, timeout) => test.skip(`${name} [skipped: ${unmet}]`, fn, timeout);
}
