/**
 * A `KubernetesObjectApi` that can send any request, with query parameters and content types the
 * stock methods do not expose, and that returns the server's JSON untouched.
 *
 * Why a subclass instead of the stock `patch()`/`list()`:
 * - `fieldValidation`: client-node 1.4.0's `KubernetesObjectApi.patch(spec, pretty, dryRun,
 *   fieldManager, force, patchStrategy, options)` has no `fieldValidation` parameter, and its
 *   `options` argument cannot add one (a per-call `Configuration` only replaces the base server and
 *   auth; middleware is always read from the instance). Measured on kube-apiserver v1.35: server-side
 *   apply refuses a field missing from the schema in every mode (HTTP 500, "field not declared in
 *   schema"), but a merge patch (our status and metadata writes) silently prunes it unless Strict is
 *   sent, which then answers 422 `strict decoding error: unknown field`.
 * - subresources: there is no way to address `/status`.
 * - typed deserialisation loses data for custom resources: a CR list is decoded with
 *   `V1ObjectMeta` as its metadata, which drops `metadata.continue` (pagination breaks), and
 *   timestamps become `Date`s (`V1MicroTime` fields even stay strings, despite their type).
 *
 * The subclass reuses the library's own URL building (`specUriPath`, with discovery and its cache),
 * authentication and HTTP stack (`requestPromise`), and only replaces response decoding.
 */
import {
  ApiException,
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  type ResponseContext,
} from '@kubernetes/client-node';

/** The HTTP verbs the runtime uses. */
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How the URL of a {@link RawRequest} is derived from an object (the `KubernetesObjectApi` actions). */
export type TargetAction = 'create' | 'delete' | 'patch' | 'read' | 'list' | 'replace';

/** A request addressed either by object identity (resolved through discovery) or by literal path. */
export interface RawRequest {
  readonly method: HttpVerb;
  /** Object whose apiVersion, kind, namespace and name select the URL. Ignored if `path` is set. */
  readonly target?: {
    readonly object: KubernetesObject;
    readonly action: TargetAction;
    /** Appended to the object URL, e.g. `'status'`. */
    readonly subresource?: string;
  };
  /** Literal API path such as `/apis/coordination.k8s.io/v1/namespaces/ns/leases/name`. */
  readonly path?: string;
  /** Query parameters; `undefined` values are skipped. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** `Content-Type` of the body (a `PatchStrategy` value for PATCH). @default 'application/json' */
  readonly contentType?: string;
  /** Serialised with `JSON.stringify` (JSON is valid YAML, so this also serves apply patches). */
  readonly body?: unknown;
}

/** See the module comment. Construct with {@link RawObjectApi.fromKubeConfig} in production. */
export class RawObjectApi extends KubernetesObjectApi {
  /** Builds the client from a kubeconfig, with the context's default namespace, like the parent. */
  static fromKubeConfig(kc: KubeConfig): RawObjectApi {
    const api = kc.makeApiClient(RawObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /**
   * Sends `request` and resolves with the decoded JSON body (`{}` for an empty body).
   * Non-2xx responses reject with client-node's `ApiException` (`.code`, `.body` as the server's
   * `Status`), so `isNotFound`/`isConflict` work unchanged.
   */
  async send<R>(request: RawRequest): Promise<R> {
    const path = await this.resolvePath(request);
    const context = this.configuration.baseServer.makeRequestContext(path, HttpMethod[request.method]);
    context.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) {
        context.setQueryParam(name, value);
      }
    }
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    return (await this.requestPromise(context)) as R;
  }

  /** Returns the server's JSON as plain data (see the module comment for why no typed decoding). */
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return (text === '' ? {} : JSON.parse(text)) as T;
    }
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', parseOrKeep(text), response.headers);
  }

  private async resolvePath(request: RawRequest): Promise<string> {
    if (request.path !== undefined) {
      return request.path;
    }
    if (request.target === undefined) {
      throw new Error('RawRequest needs either a path or a target');
    }
    const { object, action, subresource } = request.target;
    // specUriPath mutates its argument (defaults apiVersion and namespace), so give it a copy.
    const identity: KubernetesObject = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name: object.metadata?.name, namespace: object.metadata?.namespace },
    };
    const base = await this.resolveTarget(identity, action);
    return subresource === undefined ? base : `${base}/${subresource}`;
  }

  private async resolveTarget(identity: KubernetesObject, action: TargetAction): Promise<string> {
    try {
      return await this.specUriPath(identity, action);
    } catch (err) {
      // Discovery of a missing API group answers 404; re-wrapping keeps that from being mistaken
      // for "object not found" by isNotFound() (the original stays available as `cause`).
      throw new Error(`cannot resolve the API path of ${identity.apiVersion} ${identity.kind}`, { cause: err });
    }
  }
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
