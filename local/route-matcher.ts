import type { Route } from '../shared/http/route.ts';

export interface RouteMatch<T> {
  target: T;
  route: Route;
  pathParameters: Record<string, string>;
}

interface Compiled<T> {
  target: T;
  route: Route;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * Finds the route of a request the way API Gateway does: a literal segment beats a `{param}` one, so
 * `/opportunities/restore` wins over `/opportunities/{id}`.
 */
export function createRouteMatcher<T>(entries: readonly { route: Route; target: T }[]) {
  const compiled: Compiled<T>[] = entries.map(({ route, target }) => {
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

  return (method: string, path: string): RouteMatch<T> | undefined => {
    let best: { entry: Compiled<T>; values: string[] } | undefined;
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
