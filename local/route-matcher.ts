import type { ContractSpec } from '../shared/http/contract.ts';
import { ProblemError } from '../shared/http/problem.ts';

type RouteShape = Pick<ContractSpec, 'method' | 'path'>;

export interface RouteMatch<R extends RouteShape, T> {
  target: T;
  route: R;
  pathParameters: Record<string, string>;
}

interface Compiled<R extends RouteShape, T> {
  target: T;
  route: R;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * Finds the route of a request the way API Gateway does: a literal segment beats a `{param}` one, so
 * `/opportunities/restore` wins over `/opportunities/{id}`.
 */
export function createRouteMatcher<R extends RouteShape, T>(entries: readonly { route: R; target: T }[]) {
  // A `{param}` stands for exactly one segment, so only routes of the request's method and segment count can match:
  // each request tries a handful of patterns instead of every route of its method.
  const candidates = new Map<string, Compiled<R, T>[]>();
  for (const { route, target } of entries) {
    const names: string[] = [];
    const segments = route.path.split('/').slice(1);
    const source = segments
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return escapeRegExp(segment);
        names.push(param[1]!);
        return '([^/]+)';
      })
      .join('/');
    const key = candidateKey(route.method, segments.length);
    const compiled = { target, route, names, pattern: new RegExp(`^/${source}$`), literalSegments: segments.length - names.length };
    candidates.set(key, [...(candidates.get(key) ?? []), compiled]);
  }

  return (method: string, path: string): RouteMatch<R, T> | undefined => {
    let best: { entry: Compiled<R, T>; values: string[] } | undefined;
    for (const entry of candidates.get(candidateKey(method, segmentCount(path))) ?? []) {
      const match = entry.pattern.exec(path);
      if (match && (!best || entry.literalSegments > best.entry.literalSegments)) best = { entry, values: match.slice(1) };
    }
    if (!best) return undefined;
    const { entry, values } = best;
    return {
      target: entry.target,
      route: entry.route,
      pathParameters: Object.fromEntries(entry.names.map((name, index) => [name, decodePathSegment(values[index]!)])),
    };
  };
}

/** Like the gateway, a path that is not valid percent-encoding (`%ZZ`, a cut UTF-8 sequence) is a bad request. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ProblemError(400, 'malformed_request', 'The path is not valid percent-encoding: encode each segment with encodeURIComponent');
  }
}

const candidateKey = (method: string, segments: number) => `${method} ${segments}`;

/** `/a/b` has 2 segments, like the route path `/a/{id}` it may match (a trailing slash makes an empty last segment). */
function segmentCount(path: string): number {
  let count = 0;
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) count++;
  return count;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
