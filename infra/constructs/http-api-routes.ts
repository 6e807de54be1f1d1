import { Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RouteGroup } from '../../functions/api/route-table.ts';
import { routeKey } from '../../shared/http/contract.ts';
import { routeThrottle, type ThrottleLimit } from '../../shared/http/throttle.ts';

export interface HttpApiRoutesProps {
  httpApi: apigwv2.HttpApi;
  /** Each route group with the function that serves it. */
  served: readonly { group: RouteGroup; handler: lambda.IFunction }[];
  /** Guards every route whose roles are not `public`. */
  authorizer: apigwv2.IHttpRouteAuthorizer;
}

/** One API Gateway route per route of the route table, each integrated with its group's function. */
export class HttpApiRoutes extends Construct {
  /** Route keys (`GET /path`) callable without a token. */
  readonly publicRouteKeys: string[] = [];
  /** The routes with a limit of their own (`routeThrottle` of the contract: every public route), by route key. */
  readonly routeThrottles: Record<string, ThrottleLimit> = {};

  constructor(scope: Construct, id: string, props: HttpApiRoutesProps) {
    super(scope, id);
    for (const { group, handler } of props.served) {
      const integration = new HttpLambdaIntegration(`${group.name}-integration`, handler);
      for (const route of group.contracts) {
        const key = routeKey(route);
        const isPublic = route.roles === 'public';
        const httpRoute = new apigwv2.HttpRoute(this, key, {
          httpApi: props.httpApi,
          routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
          integration,
          authorizer: isPublic ? new apigwv2.HttpNoneAuthorizer() : props.authorizer,
        });
        const throttle = routeThrottle(route);
        if (throttle) this.routeThrottles[key] = throttle;
        if (isPublic) {
          this.publicRouteKeys.push(key);
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${key} is public by design (roles: 'public' in its contract): ${route.summary}.`,
          });
        }
      }
    }
  }
}
