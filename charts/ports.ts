/** Well-known ports of the data tiers. */
import type { DatabaseSpec } from '../api/index.js';

/** Port of a database engine: 3306 for (Aurora) MySQL, 5432 for (Aurora) PostgreSQL. */
export function databasePort(engine: DatabaseSpec['engine']): number {
  return engine.endsWith('postgresql') || engine === 'postgres' ? 5432 : 3306;
}

/** Port of Redis and Valkey. */
export const CACHE_PORT = 6379;
