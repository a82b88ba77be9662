/** What `validateEnvironment` says about a manifest, as the fields it names. */
import { SpecValidationError, validateEnvironment } from '../../../api/index.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';

/** The fields validateEnvironment names for `m`, [] when it accepts it; any other error is rethrown. */
export function fieldsOf(m: Manifest): string[] {
  try {
    validateEnvironment(m);
  } catch (err) {
    if (err instanceof SpecValidationError) return err.errors.map((e) => e.field);
    throw err;
  }
  return [];
}
