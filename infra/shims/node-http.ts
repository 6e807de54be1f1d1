// Not bound as `createRequire`: the bundles' banner declares that name in every output file this shim may land in.
import { createRequire as requireFrom } from 'node:module';

/**
 * `node:http` for bundled ESM code, loaded with require(). On Node 24 an ESM import of `node:http` builds the
 * module's ESM facade, which reads every export, including the lazy `WebSocket`, `CloseEvent` and `MessageEvent`
 * getters, and so loads undici: ~30 ms at cold start (measured: `import http from 'node:http'` 37 ms, the same
 * module through require() 7 ms, an empty module 5 ms). Powertools Tracer imports it that way at init.
 * infra/bundles.ts aliases `node:http` to this file; the named exports are those the bundled packages import
 * (a named import missing here fails the build, not the function).
 */
const http: typeof import('node:http') = requireFrom(import.meta.url)('node:http');

export default http;
export const { Agent, ClientRequest, IncomingMessage, METHODS, STATUS_CODES, Server, ServerResponse, createServer, get, globalAgent, request } = http;
