import type { Route } from '../../shared/http/route.ts';
import { contactRoutes } from './contacts.ts';
import { customFieldRoutes } from './custom-fields.ts';
import { groupRoutes } from './groups.ts';
import { leadConversionRoutes } from './lead-conversion.ts';
import { leadStatusRoutes } from './lead-statuses.ts';
import { leadRoutes } from './leads.ts';
import { apiDocument } from './openapi-document.ts';
import { openApiRoutes, SHIPPED_DOCUMENT } from './openapi.ts';
import { opportunityRoutes } from './opportunities.ts';
import { opportunityLifecycleRoutes } from './opportunity-lifecycle.ts';
import { opportunityShareRoutes } from './opportunity-shares.ts';
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
  /** What the group's function may touch besides its logs; the stack grants exactly this. */
  needs: readonly GroupNeed[];
  /**
   * Built when the stack is synthesized and shipped beside the bundle instead of being computed by the function:
   * each file's name and content, and the modules (paths from the repository root) the bundle then leaves out.
   */
  shipped?: { files: () => Record<string, string>; leftOut: readonly string[] };
}

/** `table`: read and write items of the table (and read the cursor secret); `userDirectory`: manage Cognito users. */
export type GroupNeed = 'table' | 'userDirectory';

export const routeGroups: readonly RouteGroup[] = [
  { name: 'users', routes: userRoutes, needs: ['table', 'userDirectory'] },
  { name: 'contacts', routes: contactRoutes, needs: ['table'] },
  { name: 'pipeline', routes: pipelineRoutes, needs: ['table'] },
  { name: 'custom-fields', routes: customFieldRoutes, needs: ['table'] },
  { name: 'groups', routes: groupRoutes, needs: ['table'] },
  { name: 'opportunities', routes: opportunityRoutes, needs: ['table'] },
  { name: 'leads', routes: [...leadStatusRoutes, ...leadRoutes, ...leadConversionRoutes], needs: ['table'] },
  { name: 'opportunity-lifecycle', routes: opportunityLifecycleRoutes, needs: ['table'] },
  { name: 'opportunity-shares', routes: opportunityShareRoutes, needs: ['table'] },
  {
    name: 'openapi',
    routes: openApiRoutes,
    needs: [],
    // Every route group's code would more than double this function's bundle: it ships the document instead.
    shipped: { files: () => ({ [SHIPPED_DOCUMENT]: JSON.stringify(apiDocument()) }), leftOut: ['./functions/api/openapi-document.ts'] },
  },
];

export const apiRoutes = (): Route[] => routeGroups.flatMap((group) => group.routes);
