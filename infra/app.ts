import { App } from 'aws-cdk-lib';
import { tenantApp } from './tenant-app.ts';
import { tenantsToSynthesize } from './tenants.ts';

// The tenants are declared in tenants.json (checked here: a bad entry fails the synth naming the tenant and every
// bad field). `npx cdk deploy -c tenant=acme` builds and deploys that one; `npx cdk deploy --all` every tenant of
// the file. Any other `-c` flag (timezone, mfa, …) overrides that tenant's entry for a one-off. No account or
// region lookups, so synth works offline; an entry's account/region pin where its stack goes, else the
// deployment's credentials decide. The functions are bundled once for all stacks (infra/bundles.ts).
// This App only reads the context (-c flags, cdk.json); it never synthesizes, tenantApp's does.
const context = new App({ autoSynth: false }).node;
tenantApp(tenantsToSynthesize((key) => context.tryGetContext(key)));
