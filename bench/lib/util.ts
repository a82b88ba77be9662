/** Small helpers shared by the benchmark's parent-side modules (bench/run.ts, bench/lib, bench/phases). */

/** Where progress lines go: bench/run.ts prefixes them with `[bench]` on stderr, so stdout keeps only the table. */
export type Log = (line: string) => void;

/** Resolves after `ms` milliseconds (polling between API server or worker reads). */
export const sleep = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
