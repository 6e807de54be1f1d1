import type { ContractSpec } from '../shared/http/contract.ts';

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
  const compiled: Compiled<R, T>[] = entries.map(({ route, target }) => {
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
    return { target, route, names, pattern: new RegExp(`^/${source}$`), literalSegments: segments.length - names.length };
  });

  return (method: string, path: string): RouteMatch<R, T> | undefined => {
    let best: { entry: Compiled<R, T>; values: string[] } | undefined;
    for (const entry of compiled) {
      if (entry.route.method !== method) continue;
      const match = entry.pattern.exec(path);
      if (match && (!best || entry.literalSegments > best.entry.literalSegments)) best = { entry, values: match.slice(1) };
    }
    if (!best) return undefined;
    const { entry, values } = best;
    return {
      target: entry.target,
      route: entry.route,
      pathParameters: Object.fromEntries(entry.names.map((name, index) => [name, decodeURIComponent(values[index]!)])),
    };
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
