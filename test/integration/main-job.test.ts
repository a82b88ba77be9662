/** The README's run command (`npm start`) on a fresh local control plane: applies an example and shows its children. */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../localcluster/paths.js';

it('starts a control plane and the controller, applies an example and prints its children and status', () => {
  const env = { ...process.env };
  delete env.MPE_KUBECONFIG; // the embedded control plane, as on a fresh machine
  const run = spawnSync('npx', ['tsx', 'cli/start.ts', 'examples/004-core-business-unit.yaml', '--exit-when-settled'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('controller running');
  expect(run.stdout).toMatch(/core-business-dev: (Progressing|Ready)/);
  expect(run.stdout).toContain('DBInstance/core-business-dev-db');
  expect(run.stdout).toContain('stopped; peak RSS');
}, 150_000);
