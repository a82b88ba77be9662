/**
 * `npm run trace -- [NAMESPACE/]NAME [-o text|wide|json]`: shows one MarketplaceEnvironment, its conditions and
 * outputs, and the tree of its ACK children (objects labelled marketplace.platform.dev/environment=NAME in the same
 * namespace) grouped by component, with each child's Ready / ACK.ResourceSynced / ACK.Terminal / ACK.Recoverable
 * conditions; like `crossplane beta trace`. Reads the cluster from KUBECONFIG (or ~/.kube/config, or in-cluster).
 * Exit codes: 0 shown, 1 not found or API error, 2 usage.
 */
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/index.js';
import { ENVIRONMENT_LABEL } from '../charts/naming.js';
import { CHILD_KINDS } from '../controllers/marketplace-environment/child-kinds.js';
import { buildTrace, formatTrace, traceJson, type LiveEnvironment, type LiveObject } from './trace-format.js';

const USAGE = 'usage: npm run trace -- [NAMESPACE/]NAME [-o text|wide|json] [-n NAMESPACE]\n';

/** Parsed command line. */
interface Args {
  readonly namespace?: string;
  readonly name: string;
  readonly output: 'text' | 'wide' | 'json';
}

function parseArgs(argv: readonly string[]): Args | string {
  let output: Args['output'] = 'text';
  let namespace: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return '';
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '-o' || flag === '--output' || flag === '-n' || flag === '--namespace') {
      const value = inline ?? argv[++i];
      if (!value) return `${flag} needs a value`;
      if (flag === '-n' || flag === '--namespace') namespace = value;
      else if (value === 'text' || value === 'wide' || value === 'json') output = value;
      else return `unknown output format ${value} (text, wide or json)`;
    } else if (a.startsWith('-o') && a.length > 2) {
      const value = a.slice(2);
      if (value !== 'text' && value !== 'wide' && value !== 'json') return `unknown output format ${value} (text, wide or json)`;
      output = value;
    } else if (a.startsWith('-')) {
      return `unknown flag ${a}`;
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) return 'expected exactly one environment, NAMESPACE/NAME or NAME';
  const ref = positional[0]!;
  const slash = ref.indexOf('/');
  if (slash >= 0) {
    const [ns, name] = [ref.slice(0, slash), ref.slice(slash + 1)];
    if (!ns || !name || name.includes('/')) return `cannot parse ${ref}: expected NAMESPACE/NAME`;
    if (namespace && namespace !== ns) return `namespace ${ns} in ${ref} contradicts -n ${namespace}`;
    return { namespace: ns, name, output };
  }
  return { ...(namespace ? { namespace } : {}), name: ref, output };
}

/** HTTP status of a client-node error, if it has one. */
function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

function describeError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let detail = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      detail = (JSON.parse(e.body) as { message?: string }).message ?? detail;
    } catch {
      // keep the message
    }
  } else if (e.body && typeof e.body === 'object' && 'message' in e.body) {
    detail = String((e.body as { message: unknown }).message);
  }
  return detail.split('\n')[0]!;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(args ? `trace: ${args}\n${USAGE}` : USAGE);
    return args ? 2 : 0;
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const namespace = args.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const api = kc.makeApiClient(CustomObjectsApi);

  let environment: LiveEnvironment;
  try {
    environment = (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: args.name })) as LiveEnvironment;
  } catch (err) {
    if (httpStatus(err) === 404) {
      process.stderr.write(`trace: MarketplaceEnvironment ${namespace}/${args.name} not found (server ${kc.getCurrentCluster()?.server ?? '?'})\n`);
    } else {
      process.stderr.write(`trace: cannot read MarketplaceEnvironment ${namespace}/${args.name}: ${describeError(err)}\n`);
    }
    return 1;
  }

  const labelSelector = `${ENVIRONMENT_LABEL}=${args.name}`;
  const unservedKinds: string[] = [];
  const lists = await Promise.all(
    CHILD_KINDS.map(async (k) => {
      const [group, version] = k.apiVersion.split('/') as [string, string];
      try {
        const list = (await api.listNamespacedCustomObject({ group, version, namespace, plural: k.plural, labelSelector })) as { items?: LiveObject[] };
        // List items carry no apiVersion/kind; fill them in from the list request.
        return (list.items ?? []).map((o) => ({ ...o, apiVersion: k.apiVersion, kind: k.kind }));
      } catch (err) {
        if (httpStatus(err) === 404) {
          unservedKinds.push(`${k.apiVersion}/${k.kind}`);
          return [];
        }
        throw new Error(`cannot list ${k.plural}.${group}: ${describeError(err)}`);
      }
    }),
  );

  const trace = buildTrace({ environment, children: lists.flat(), unservedKinds });
  process.stdout.write(args.output === 'json' ? traceJson(trace) : formatTrace(trace, { maxMessage: args.output === 'wide' ? 0 : 100 }));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`trace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
