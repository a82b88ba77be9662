/** The render phase: what each reconcile computes, without a cluster. */
import { validateEnvironment } from '../../api/index.js';
import { renderEnvironment } from '../../charts/index.js';
import { round } from '../lib/stats.js';
import type { Log } from '../lib/util.js';
import type { Example } from '../lib/workload.js';

/** Render cost of one example. */
export interface RenderResult {
  readonly example: string;
  readonly children: number;
  readonly ms: number;
  readonly iterations: number;
}

/** Validate + render (what each reconcile does), warm, per example. */
export function benchRender(examples: readonly Example[], log: Log): RenderResult[] {
  return examples.map((ex) => {
    const run = () => renderEnvironment(validateEnvironment(structuredClone(ex.manifest)));
    const children = run().length;
    for (let i = 0; i < 30; i++) run();
    let iterations = 0;
    const t0 = performance.now();
    while (iterations < 300 && (iterations < 50 || performance.now() - t0 < 2_000)) {
      run();
      iterations++;
    }
    const ms = (performance.now() - t0) / iterations;
    log(`render ${ex.id}: ${ms.toFixed(2)} ms/env (${children} children, ${iterations} iterations)`);
    return { example: ex.id, children, ms: round(ms, 2), iterations };
  });
}
