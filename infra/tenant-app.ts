import { App, type AppProps, Tags } from 'aws-cdk-lib';
import { stackNameOf, TenantStack } from './tenant-stack.ts';
import type { TenantConfig } from './tenants.ts';
import { APP_PROPS_FOR_SHAPE_VALIDATION, validateEachShapeOnce } from './validation.ts';

/**
 * The CDK app of `tenants`: one stack per tenant, the functions bundled once for all of them (infra/bundles.ts),
 * and the synth validations (cdk-nag's AwsSolutions pack, where an unacknowledged error fails the synth, and
 * CDK's CloudFormation validation) run once per distinct stack shape (infra/validation.ts).
 */
export function tenantApp(tenants: readonly TenantConfig[], props: AppProps = {}): App {
  const app = new App({ ...props, ...APP_PROPS_FOR_SHAPE_VALIDATION });
  for (const config of tenants) {
    const stack = new TenantStack(app, stackNameOf(config.tenant), {
      config,
      description: `Pipeline CRM for tenant ${config.tenant}`,
      ...(config.account || config.region ? { env: { account: config.account, region: config.region } } : {}),
    });
    Tags.of(stack).add('tenant', config.tenant);
  }
  validateEachShapeOnce(app, (stack) => (stack instanceof TenantStack ? stack.config : undefined));
  return app;
}
