/**
 * Where each ACK CRD comes from, decided in one place for the local control plane, the tests, the benchmarks and
 * the scripts. For every service of hack/ack-versions.txt there are two sources, tried in this order:
 *
 * 1. the Go module proxy: hack/fetch-ack-crds.sh downloads the service's controller module at the pinned tag, else
 *    at the recorded fallback tag, and copies its CRDs into .cache/ack-crds/<service>/ (the tag it used in `.tag`);
 * 2. the pinned upstream CRDs in the directory named by ACK_CRDS_DIR (default: ../shared/ack-crds beside the
 *    repository, when it exists), laid out as `<service>-controller/<group>_<plural>.yaml`, `common/` and `VERSIONS`.
 *
 * A kind comes from the first source that has it. The directory holds a service's complete CRD set at one tag, so a
 * kind missing from it does not exist there: that is an error in the kind, not a missing source. Only file reads
 * happen here; fetching is the script's job (`npm run setup`, `npm run import`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CHILD_KINDS } from '../charts/child-kinds.js';
import { REPO_ROOT } from './paths.js';

/** Environment variable naming the directory of pinned upstream ACK CRDs; empty means "none". */
export const ACK_CRDS_DIR_ENV = 'ACK_CRDS_DIR';
/** Default of ACK_CRDS_DIR, relative to the repository root; used only when it exists. */
export const DEFAULT_ACK_CRDS_DIR = '../shared/ack-crds';
/** Where hack/fetch-ack-crds.sh puts what the Go module proxy served, relative to the repository root. */
export const PROXY_CRDS_DIR = '.cache/ack-crds';
/** Pseudo-service of the kinds every ACK controller shares (FieldExport, IAMRoleSelector). */
export const COMMON = 'common';

const ACK_GROUP_SUFFIX = '.services.k8s.aws';

/** One line of hack/ack-versions.txt. */
export interface PinnedService {
  readonly service: string;
  readonly pinned: string;
  /** The tag to fetch when the proxy refuses the pinned one; undefined for `-`. */
  readonly fallback: string | undefined;
}

/** Which source a CRD file comes from. */
export interface CrdSource {
  readonly origin: 'proxy' | 'dir';
  /** The ACK service, or {@link COMMON}. */
  readonly service: string;
  /** Tag of the controller module the file belongs to (`unknown` when the directory's VERSIONS does not say). */
  readonly tag: string;
  /** For people: origin, tag, and the pinned tag when it differs. */
  readonly description: string;
}

/** One CustomResourceDefinition from one of the sources. */
export interface AckCrd {
  readonly file: string;
  /** `metadata.name`, `<plural>.<group>`. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  /** The served versions (`v1alpha1`, ...). */
  readonly versions: readonly string[];
  readonly source: CrdSource;
  /** The parsed document, as it is to be applied. */
  readonly object: Record<string, unknown>;
}

/** A kind, as objects name it. */
export interface KindRef {
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * Where a kind's CRD comes from: `provided` by a source; `unavailable` when no source at hand has it (a test that
 * needs it is skipped, and fails under CI=true); `unknown` when a source that must have it does not (a wrong kind,
 * or a group outside hack/ack-versions.txt): always an error.
 */
export type KindResolution =
  | { readonly status: 'provided'; readonly kind: KindRef; readonly crd: AckCrd }
  | {
      readonly status: 'unavailable';
      readonly kind: KindRef;
      /** `<fromProxy>; <fromDir>` */
      readonly reason: string;
      /** Why the proxy's CRDs do not have it. */
      readonly fromProxy: string;
      /** Why ACK_CRDS_DIR does not have it. */
      readonly fromDir: string;
    }
  | { readonly status: 'unknown'; readonly kind: KindRef; readonly reason: string };

/** Where to look: the repository root and the environment (ACK_CRDS_DIR). */
export interface SourceOptions {
  /** Default this repository. */
  readonly root?: string;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses hack/ack-versions.txt (`<service> <pinned tag> <fallback tag|->`, `#` comments). */
export function readPinnedServices(root = REPO_ROOT): PinnedService[] {
  const file = join(root, 'hack', 'ack-versions.txt');
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [service, pinned, fallback] = line.split(/\s+/);
      if (!service || !pinned) throw new Error(`${file}: expected "<service> <pinned tag> <fallback tag|->", got "${line}"`);
      return { service, pinned, fallback: fallback && fallback !== '-' ? fallback : undefined };
    });
}

/** What one source has for one service: its CRDs, or why it has none. */
type Holding = { readonly crds: readonly AckCrd[] } | { readonly reason: string };

/** See the module comment. Reads files lazily and once per instance. */
export class AckCrdSources {
  /** The services of hack/ack-versions.txt. */
  readonly services: readonly PinnedService[];
  /** The directory of pinned CRDs in use, or undefined (then {@link dirReason} says why). */
  readonly dir: string | undefined;
  /** Why there is no directory of pinned CRDs (empty when there is one). */
  readonly dirReason: string;
  private readonly root: string;
  private readonly proxyHoldings = new Map<string, Holding>();
  private readonly dirHoldings = new Map<string, Holding>();
  private dirVersions: Map<string, string> | undefined;

  constructor(opts: SourceOptions = {}) {
    this.root = opts.root ?? REPO_ROOT;
    this.services = readPinnedServices(this.root);
    const env = opts.env ?? process.env;
    const configured = env[ACK_CRDS_DIR_ENV];
    const candidate = configured === undefined ? resolve(this.root, DEFAULT_ACK_CRDS_DIR) : configured && resolve(configured);
    this.dir = candidate && existsSync(candidate) ? candidate : undefined;
    this.dirReason = this.dir
      ? ''
      : configured === undefined
        ? `${ACK_CRDS_DIR_ENV} is not set and ${DEFAULT_ACK_CRDS_DIR} does not exist`
        : configured
          ? `${ACK_CRDS_DIR_ENV}=${configured} does not exist`
          : `${ACK_CRDS_DIR_ENV} is empty`;
  }

  /** Every CRD the Go module proxy provided (all fetched services, and the shared kinds). */
  proxyCrds(): AckCrd[] {
    return [...this.services.map((s) => s.service), COMMON].flatMap((service) => crdsOf(this.proxy(service)));
  }

  /** Every CRD of the pinned services (and the shared kinds) in the ACK_CRDS_DIR directory; empty without one. */
  dirCrds(): AckCrd[] {
    return [...this.services.map((s) => s.service), COMMON].flatMap((service) => crdsOf(this.pinnedDir(service)));
  }

  /** Which file provides `kind`, from which source; or why none does. */
  resolve(kind: KindRef): KindResolution {
    const [group = '', version = ''] = kind.apiVersion.split('/');
    const service = group === ACK_GROUP_SUFFIX.slice(1) ? COMMON : group.endsWith(ACK_GROUP_SUFFIX) ? group.slice(0, -ACK_GROUP_SUFFIX.length) : '';
    if (service !== COMMON && !this.services.some((s) => s.service === service)) {
      return { status: 'unknown', kind, reason: `${group} is not the API group of a service in hack/ack-versions.txt` };
    }
    const matches = (crd: AckCrd): boolean => crd.group === group && crd.kind === kind.kind && crd.versions.includes(version);
    const proxy = this.proxy(service);
    const proxied = crdsOf(proxy).find(matches);
    if (proxied) return { status: 'provided', kind, crd: proxied };
    const dir = this.pinnedDir(service);
    if ('crds' in dir) {
      const fromDir = dir.crds.find(matches);
      if (fromDir) return { status: 'provided', kind, crd: fromDir };
      return { status: 'unknown', kind, reason: `the pinned CRDs of ${service} (${this.dir}) have no ${kind.kind} ${version}` };
    }
    const fromProxy = 'crds' in proxy ? `the Go module proxy's ${service}-controller ${proxy.crds[0]?.source.tag ?? ''} has no ${kind.kind} ${version}` : proxy.reason;
    return { status: 'unavailable', kind, reason: `${fromProxy}; ${dir.reason}`, fromProxy, fromDir: dir.reason };
  }

  /** {@link resolve} for each kind; default every kind the charts render. */
  resolveAll(kinds: readonly KindRef[] = CHILD_KINDS): KindResolution[] {
    return kinds.map((k) => this.resolve(k));
  }

  /**
   * What no source at hand can provide for `kinds` (default every rendered kind), or undefined when nothing is
   * unavailable: `no CRD for <apiVersion> <kinds>: <why not from the proxy>` clauses, then why not from ACK_CRDS_DIR,
   * joined by `; `. `unknown` kinds are not included: they are errors to report, not something this machine lacks.
   */
  unavailable(kinds: readonly KindRef[] = CHILD_KINDS): string | undefined {
    const clauses = new Map<string, { apiVersion: string; fromProxy: string; kinds: Set<string> }>();
    const fromDir = new Set<string>();
    for (const r of this.resolveAll(kinds)) {
      if (r.status !== 'unavailable') continue;
      const key = `${r.kind.apiVersion} ${r.fromProxy}`;
      const clause = clauses.get(key) ?? { apiVersion: r.kind.apiVersion, fromProxy: r.fromProxy, kinds: new Set<string>() };
      clause.kinds.add(r.kind.kind);
      clauses.set(key, clause);
      fromDir.add(r.fromDir);
    }
    if (clauses.size === 0) return undefined;
    const missing = [...clauses.values()].map((c) => `no CRD for ${c.apiVersion} ${[...c.kinds].sort().join(', ')}: ${c.fromProxy}`);
    return [...missing, ...fromDir].join('; ');
  }

  /**
   * The ACK CRDs a cluster gets: every CRD the proxy provided (the ACK controllers need their service's whole set),
   * plus, from the directory, those of the `kinds` (default every rendered kind) the proxy did not provide, and the
   * shared kinds when the proxy provided none.
   */
  installSet(kinds: readonly KindRef[] = CHILD_KINDS): AckCrd[] {
    const proxy = this.proxyCrds();
    const fromDir = this.resolveAll(kinds).flatMap((r) => (r.status === 'provided' && r.crd.source.origin === 'dir' ? [r.crd] : []));
    if (!proxy.some((crd) => crd.source.service === COMMON)) fromDir.push(...crdsOf(this.pinnedDir(COMMON)));
    const byName = new Map<string, AckCrd>();
    for (const crd of [...proxy, ...fromDir]) if (!byName.has(crd.name)) byName.set(crd.name, crd);
    return [...byName.values()];
  }

  /** One line per service: where its CRDs come from, for logs. */
  describe(): string[] {
    return this.services.map(({ service }) => {
      const proxy = this.proxy(service);
      if ('crds' in proxy && proxy.crds[0]) return `${service}: ${proxy.crds[0].source.description}`;
      const dir = this.pinnedDir(service);
      if ('crds' in dir && dir.crds[0]) return `${service}: ${dir.crds[0].source.description}`;
      return `${service}: none (${'reason' in proxy ? proxy.reason : 'no CRDs'}; ${'reason' in dir ? dir.reason : 'no CRDs'})`;
    });
  }

  private proxy(service: string): Holding {
    let holding = this.proxyHoldings.get(service);
    if (!holding) this.proxyHoldings.set(service, (holding = this.readProxy(service)));
    return holding;
  }

  private pinnedDir(service: string): Holding {
    let holding = this.dirHoldings.get(service);
    if (!holding) this.dirHoldings.set(service, (holding = this.readDir(service)));
    return holding;
  }

  private readProxy(service: string): Holding {
    const dir = join(this.root, PROXY_CRDS_DIR, service);
    const fetch = '(bash hack/fetch-ack-crds.sh)';
    if (service === COMMON) {
      const crds = readCrds(dir, { origin: 'proxy', service, tag: '-', description: 'Go module proxy (shared kinds, with the fetched controllers)' });
      return crds.length ? { crds } : { reason: `no shared ACK kinds fetched ${fetch}` };
    }
    const pin = this.services.find((s) => s.service === service)!;
    const tagFile = join(dir, '.tag');
    if (!existsSync(tagFile)) return { reason: `${service}-controller not fetched from the Go module proxy yet ${fetch}` };
    const recorded = /^pinned=(\S+) used=(\S+)$/m.exec(readFileSync(tagFile, 'utf8'));
    if (recorded?.[1] !== pin.pinned) return { reason: `${PROXY_CRDS_DIR}/${service} was fetched for another pinned tag than ${pin.pinned} ${fetch}` };
    const used = recorded[2]!;
    if (used === 'none') {
      const tried = pin.fallback ? `at neither ${pin.pinned} nor ${pin.fallback}` : `at ${pin.pinned}, and no fallback tag is recorded`;
      return { reason: `the Go module proxy does not serve ${service}-controller ${tried}` };
    }
    const description = `Go module proxy, ${service}-controller ${used}${used === pin.pinned ? '' : ` (pinned ${pin.pinned})`}`;
    const crds = readCrds(dir, { origin: 'proxy', service, tag: used, description });
    return crds.length ? { crds } : { reason: `${PROXY_CRDS_DIR}/${service} holds no CRD ${fetch}` };
  }

  private readDir(service: string): Holding {
    if (!this.dir) return { reason: this.dirReason };
    const sub = service === COMMON ? COMMON : `${service}-controller`;
    const path = join(this.dir, sub);
    if (!existsSync(path)) return { reason: `${ACK_CRDS_DIR_ENV} (${this.dir}) has no ${sub}/` };
    this.dirVersions ??= readVersions(join(this.dir, 'VERSIONS'));
    const pin = this.services.find((s) => s.service === service);
    const tag = service === COMMON ? '-' : (this.dirVersions.get(sub) ?? 'unknown');
    const description = `${ACK_CRDS_DIR_ENV} (${this.dir}), ${sub} ${tag}${!pin || tag === pin.pinned ? '' : ` (pinned ${pin.pinned})`}`;
    const crds = readCrds(path, { origin: 'dir', service, tag, description });
    return crds.length ? { crds } : { reason: `${ACK_CRDS_DIR_ENV} (${this.dir}) has no CRD in ${sub}/` };
  }
}

function crdsOf(holding: Holding): readonly AckCrd[] {
  return 'crds' in holding ? holding.crds : [];
}

/** `<name> <tag>` lines of a VERSIONS file; empty when there is none. */
function readVersions(file: string): Map<string, string> {
  if (!existsSync(file)) return new Map();
  const pairs = readFileSync(file, 'utf8').split('\n').map((line) => line.trim().split(/\s+/));
  return new Map(pairs.filter((p): p is [string, string] => p.length === 2 && Boolean(p[0])));
}

/** The CustomResourceDefinitions of a directory's `*.yaml` files, sorted by file; a file with an invalid YAML is an error. */
function readCrds(dir: string, source: CrdSource): AckCrd[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(dir, name));
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as Record<string, unknown> | null;
      if (object?.kind !== 'CustomResourceDefinition') return [];
      const spec = (object.spec ?? {}) as { group?: string; names?: { kind?: string }; versions?: { name: string }[] };
      const name = (object.metadata as { name?: string } | undefined)?.name;
      if (!name) throw new Error(`${file}: CustomResourceDefinition without metadata.name`);
      return [{ file, name, group: spec.group ?? '', kind: spec.names?.kind ?? '', versions: (spec.versions ?? []).map((v) => v.name), source, object }];
    }),
  );
}
