import type { Route } from '../../shared/http/route.ts';
import { contactRoutes } from './contacts.ts';
import { customFieldRoutes } from './custom-fields.ts';
import { groupRoutes } from './groups.ts';
import { openApiRoutes } from './openapi.ts';
import { opportunityRoutes } from './opportunities.ts';
import { pipelineRoutes } from './pipeline.ts';
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
  { name: 'contacts', routes: contactRoutes },
  { name: 'pipeline', routes: pipelineRoutes },
  { name: 'custom-fields', routes: customFieldRoutes },
  { name: 'groups', routes: groupRoutes },
  { name: 'opportunities', routes: opportunityRoutes },
  { name: 'openapi', routes: openApiRoutes },
];

export const apiRoutes = (): Route[] => routeGroups.flatMap((group) => group.routes);
