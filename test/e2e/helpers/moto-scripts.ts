/**
 * What the aws-gaps e2e files share: a boto3 script run against moto for fixtures and checks, and the AWS SDK
 * environment the operator process gets next to the ACK controllers (moto's endpoint, fake credentials).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MOTO_PYTHON } from '../../../localcluster/aws-emulator.js';

/**
 * `run(op, arg)` runs `script` (a Python boto3 program reading argv: endpoint, region, op, arg, and printing JSON) with
 * moto's Python against `endpoint` in `region`, and parses what it prints.
 */
export function botoScript(script: string, endpoint: string, region: string, timeoutMs: number): <T>(op: string, arg: string) => Promise<T> {
  return async <T>(op: string, arg: string): Promise<T> => {
    const { stdout } = await promisify(execFile)(MOTO_PYTHON, ['-c', script, endpoint, region, op, arg], { timeout: timeoutMs });
    return JSON.parse(stdout) as T;
  };
}

/** The SDK environment pointed at moto at `endpoint`: `set()` it, and `restore()` what the process had before. */
export function motoSdkEnvironment(endpoint: string): { set(): void; restore(): void } {
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  return {
    set: () => void Object.assign(process.env, env),
    restore: () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
