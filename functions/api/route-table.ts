import type { Route } from '../../shared/http/route.ts';
import { openApiRoutes } from './openapi.ts';
import { userRoutes } from './users.ts';

/**
 * Every route of the API, grouped by the Lambda function that serves it. A group's handler lives in
 * `functions/api/<name>.ts` (exported as `handler`); the CDK stack, the local server, the OpenAPI document
 * and the contract tests all read this table.
 */
export interface RouteGroup {
  name: string;
  routes: readonly Route[];
}

export const routeGroups: readonly RouteGroup[] = [
  { name: 'users', routes: userRoutes },
  { name: 'openapi', routes: openApiRoutes },
];

export const apiRoutes = (): Route[] => routeGroups.flatMap((group) => group.routes);
