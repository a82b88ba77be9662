/** Jest globalTeardown of the `integration` project: stops the control plane started by global-setup.ts. */
import type { ControlPlane } from '../../localcluster/control-plane.js';

/** Same registered symbol as in global-setup.ts. */
const CONTROL_PLANE = Symbol.for('mpe.localcluster.controlPlane');

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const plane = globals[CONTROL_PLANE] as ControlPlane | undefined;
  if (!plane) return;
  delete globals[CONTROL_PLANE];
  // Prints the peak RSS (VmHWM) of each component; an external cluster is left running.
  await plane.stop();
}
