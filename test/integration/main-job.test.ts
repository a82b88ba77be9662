/**
 * The README's run command (`npm start`) on a fresh local control plane: applies the default example (003) and shows
 * its children. With moto and the ACK controllers built (`npm run setup`) it starts them too and the example goes
 * Ready with outputs from the emulated AWS; without them the children wait for a controller.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findAckControllers } from '../../localcluster/ack-controllers.js';
import { MOTO_PYTHON } from '../../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../../localcluster/paths.js';

const emulatedAws = existsSync(MOTO_PYTHON) && findAckControllers().available.length > 0;

it(`starts a control plane${emulatedAws ? ', moto and the ACK controllers' : ''} and the controller, applies the default example and prints its children and status`, () => {
  const env = { ...process.env };
  delete env.MPE_KUBECONFIG; // the embedded control plane, as on a fresh machine
  const run = spawnSync('npx', ['tsx', 'cli/start.ts', '--exit-when-settled'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 330_000 });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('controller running');
  expect(run.stdout).toContain('DBInstance/trading-useast1-db-0');
  expect(run.stdout).toContain('stopped; peak RSS');
  if (emulatedAws) {
    expect(run.stdout).toContain('ACK controllers: ec2');
    expect(run.stdout).toMatch(/trading-useast1: Ready 21\/21/);
    expect(run.stdout).toMatch(/VPC: vpc-[0-9a-f]+/);
    expect(run.stdout).toMatch(/database writer: trading-db-synth2db2r6\.cluster-\S+\.us-east-1\.rds\.amazonaws\.com:3306/);
  } else {
    expect(run.stdout).toContain('emulated AWS not available');
    expect(run.stdout).toMatch(/trading-useast1: (Progressing|Ready)/);
  }
}, 360_000);
