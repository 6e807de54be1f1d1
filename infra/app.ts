import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackNameOf, TenantStack, tenantConfigFromContext } from './tenant-stack.ts';

// One stack per tenant: `npx cdk deploy -c tenant=acme [-c timezone=Europe/Rome -c defaultCurrency=EUR
// -c corsOrigins=https://app.acme.com -c alarmEmail=ops@acme.com]`. No account or region lookups, so synth
// works offline; the deployment's credentials decide where it goes.
const app = new App();
const config = tenantConfigFromContext((key) => app.node.tryGetContext(key));
const stack = new TenantStack(app, stackNameOf(config.tenant), {
  config,
  description: `Pipeline CRM for tenant ${config.tenant}`,
});
Tags.of(stack).add('tenant', config.tenant);
// cdk-nag 3 runs as a policy validation plugin (not an Aspect): an unacknowledged error fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
