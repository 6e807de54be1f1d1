import { fixed, formatTable } from './report.ts';

/** A V8 CPU profile as `node --cpu-prof` writes it (the fields read here). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Busy time (not idle) by part of the request path, from the first request handled on (start-up left out). */
  parts: ProfileShare[];
  /** Self time by module: a package of node_modules, a file of the project, Node's internals, GC, idle. */
  modules: ProfileShare[];
  /** Self time by function. */
  functions: ProfileShare[];
  /** Time spent in a project function or anything it called (each sample counted once per function). */
  projectInclusive: ProfileShare[];
}

/** Where a function's code lives, at the grain worth reading: a package, a project file, or V8's own pseudo-frames. */
export function moduleOf(url: string, functionName: string, root: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1]!;
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

function ranked(totals: Map<string, number>, totalMs: number): ProfileShare[] {
  return [...totals].map(([name, ms]) => ({ name, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms);
}

/**
 * The part of the request path a sample belongs to, from its stack (leaf first): the first rule that any frame
 * matches wins, so the socket writes and HTTP parsing of the DynamoDB client count as the client's.
 */
const PARTS: readonly [string, RegExp][] = [
  ['stream poller and event consumers', /local\/(stream-poller|event-bus|events)\.ts|functions\/events\/|shared\/events\/consumer/],
  ['DynamoDB client (AWS SDK, its HTTP to DynamoDB Local)', /node_modules\/(@smithy|@aws-sdk)\/|node:_http_client|node:internal\/http_client|node:_http_agent/],
  ['handler (middy, auth, zod, route code, logger)', /shared\/|functions\/api\/|node_modules\/(@middy|zod|@aws-lambda-powertools)\//],
  ['local gateway (HTTP server, routing, JWT, event shape)', /local\/(server|route-matcher|local-auth)\.ts|node:_http_server|node_modules\/jose\//],
];

export function summarizeProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = moduleOf(url, functionName, root);
    return url === '' ? where : `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  };
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (totals: Map<string, number>, key: string, ms: number) => totals.set(key, (totals.get(key) ?? 0) + ms);
  const parts = new Map<string, number>();
  const stackUrls = (id: number) => {
    const urls: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) urls.push(byId.get(at)!.callFrame.url);
    return urls;
  };
  const firstRequest = profile.samples.findIndex((id) => stackUrls(id).some((url) => url.endsWith('local/server.ts')));
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    const { functionName: leaf } = byId.get(id)!.callFrame;
    if (firstRequest >= 0 && index >= firstRequest && leaf !== '(idle)') {
      const urls = stackUrls(id);
      const part = leaf === '(garbage collector)' ? 'garbage collector' : (PARTS.find(([, pattern]) => urls.some((url) => pattern.test(url)))?.[0] ?? 'other (event loop, timers, sockets)');
      add(parts, part, ms);
    }
    const { functionName, url } = byId.get(id)!.callFrame;
    add(modules, moduleOf(url, functionName, root), ms);
    add(functions, label(id), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const where = moduleOf(frame.url, frame.functionName, root);
      if (!/^(shared|functions|local)\//.test(where)) continue;
      const name = label(at);
      if (!seen.has(name)) add(inclusive, name, ms);
      seen.add(name);
    }
  });
  return { totalMs, parts: ranked(parts, totalMs), modules: ranked(modules, totalMs), functions: ranked(functions, totalMs), projectInclusive: ranked(inclusive, totalMs) };
}

/** The busy time of each part divided by the requests served: where one request's CPU goes. */
export function formatPerRequest(summary: ProfileSummary, requests: number): string {
  const busy = summary.parts.reduce((sum, part) => sum + part.ms, 0);
  return formatTable(
    ['busy time from the first request on', 'ms', 'µs per request', '%'],
    [...summary.parts.map((part) => [part.name, fixed(part.ms, 0), fixed((part.ms / requests) * 1000, 0), fixed((part.ms / busy) * 100, 1)]), ['total', fixed(busy, 0), fixed((busy / requests) * 1000, 0), '100.0']],
  );
}

export function formatProfile(summary: ProfileSummary, top = 25): string[] {
  const table = (title: string, shares: readonly ProfileShare[]) =>
    `${title}\n${formatTable(['', 'ms', '%'], shares.slice(0, top).map((share) => [share.name, fixed(share.ms, 0), fixed(share.share * 100, 1)]))}`;
  return [
    `Profiled ${fixed(summary.totalMs, 0)} ms of the server process`,
    table('Self time by module', summary.modules),
    table('Self time by function', summary.functions),
    table('Inclusive time of project functions', summary.projectInclusive),
  ];
}
