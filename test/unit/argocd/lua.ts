/** Helpers for running Lua from jest: locating an interpreter and turning JSON values into Lua table literals. */
import { spawnSync } from 'node:child_process';

/** A Lua interpreter on PATH: its command and `-v` banner. */
export interface LuaInterpreter {
  readonly command: string;
  readonly version: string;
}

/** Interpreters tried in order: Debian's lua5.1 (what gopher-lua implements), then whatever `lua` is. */
const CANDIDATES = ['lua5.1', 'lua'];

/** The first interpreter that runs, or undefined. `LUA` in the environment overrides the search. */
export function findLua(env: NodeJS.ProcessEnv = process.env): LuaInterpreter | undefined {
  for (const command of env.LUA ? [env.LUA] : CANDIDATES) {
    const r = spawnSync(command, ['-v'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) continue;
    return { command, version: `${r.stdout}${r.stderr}`.trim() };
  }
  return undefined;
}

/** A Lua string literal; every byte outside printable ASCII (and `"`, `\`) as a decimal escape. */
export function luaString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * A Lua expression for a JSON value, the way Argo CD hands objects to Lua (util/lua decodeValue): objects → tables
 * with string keys, arrays → sequences, numbers → numbers, null → nil.
 */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`toLua: ${value} has no JSON form`);
    return String(value);
  }
  if (typeof value === 'string') return luaString(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  if (value instanceof Date) return luaString(value.toISOString());
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaString(k)}] = ${toLua(v)}`).join(', ')}}`;
  }
  throw new Error(`toLua: cannot convert a ${typeof value}`);
}
