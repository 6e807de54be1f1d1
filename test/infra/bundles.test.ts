import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctionEntries, buildFunctionBundles, bundleNameOf, DEPLOYED_SDK_PACKAGING, type FunctionBundleDir } from '../../infra/bundles.ts';
import { packageOf } from '../../bench/bundle-size.ts';
import { apiDocument } from '../../functions/api/openapi-document.ts';

/** Structure only: the import times are the bench's (`tsx bench/cold-only.ts`), never a test's. */
let root: string;
let bundles: Map<string, FunctionBundleDir>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'crm-bundles-test-'));
  bundles = new Map([...buildFunctionBundles(allFunctionEntries(), root)].map(([entry, bundle]) => [bundleNameOf(entry), bundle]));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const packagesOf = (name: string, when: 'init' | 'lazy') =>
  new Set(bundles.get(name)!.files.filter((file) => file.lazy === (when === 'lazy')).flatMap((file) => Object.keys(file.inputs).map(packageOf)));

/** Imported only with `await import()`: what a cold start must not read (shared/metrics.ts, user-directory.ts, mailer.ts, cursor.ts, buy-now-webhook.ts). */
const LAZY_ONLY = ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core', '@aws-sdk/client-cognito-identity-provider', '@aws-sdk/client-sesv2', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sqs', 'stripe'];
/** The Cognito trigger (issue 13 item 11) copies a claim: it neither reads the table nor traces. */
const CLAIMS_TRIGGER = 'auth-token-claims';
const tableFunctions = () => [...bundles.keys()].filter((name) => name !== CLAIMS_TRIGGER);

describe('Issue 14 item 4: cold starts', () => {
  it('Issue 14 item 4 every function ships the DynamoDB SDK in its bundle (bundled, tree-shaken), in a directory of its own', () => {
    expect(DEPLOYED_SDK_PACKAGING).toBe('bundled-sdk');
    for (const [name, bundle] of bundles) {
      if (name !== CLAIMS_TRIGGER) expect(packagesOf(name, 'init'), name).toContain('@aws-sdk/client-dynamodb');
      for (const file of bundle.files) expect(existsSync(join(bundle.dir, file.path)), `${name}: ${file.path}`).toBe(true);
    }
  });

  it('Issue 14 item 4 the Tracer, the Cognito, SES, Secrets Manager and SQS clients and stripe are not loaded at cold start: lazy chunks only', () => {
    for (const name of bundles.keys()) {
      const init = packagesOf(name, 'init');
      for (const lazy of LAZY_ONLY) expect(init, `${name} loads ${lazy} at init`).not.toContain(lazy);
    }
    for (const name of tableFunctions()) expect(packagesOf(name, 'lazy'), name).toContain('@aws-lambda-powertools/tracer');
    expect(packagesOf('events-publisher', 'lazy')).toContain('@aws-sdk/client-sqs');
    expect(packagesOf('api-buy-now-webhook', 'lazy')).toContain('stripe');
  });

  it('Issue 14 item 4 ical-generator is only in the calendar function, zod-to-openapi in none (the document is built when bundling)', () => {
    const holders = (pkg: string) => [...bundles.keys()].filter((name) => packagesOf(name, 'init').has(pkg) || packagesOf(name, 'lazy').has(pkg));

    expect(holders('ical-generator')).toEqual(['api-calendar']);
    expect(holders('@asteasolutions/zod-to-openapi')).toEqual([]);
  });

  it('Issue 14 item 4 no bundled file imports node:http as an ES module (on Node 24 that loads undici): it is required through infra/shims/node-http.ts', () => {
    const esmImportOfHttp = /(?:^|[;}\s])import\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}\s*)?(?:\*\s*as\s*[\w$]+\s*)?(?:from\s*)?["']node:http["']/;
    for (const [name, bundle] of bundles) {
      for (const file of bundle.files) expect(readFileSync(join(bundle.dir, file.path), 'utf8'), `${name}: ${file.path}`).not.toMatch(esmImportOfHttp);
    }
    expect(readFileSync(join(bundles.get('api-contacts')!.dir, bundles.get('api-contacts')!.files.find((file) => file.lazy && 'infra/shims/node-http.ts' in file.inputs)?.path ?? 'missing'), 'utf8')).toContain('require');
  });

  it('Issue 14 item 4 a function builds the schemas of its own routes only (zod builds every schema of a module it imports, at cold start)', () => {
    const schemaModules = (name: string) =>
      new Set(bundles.get(name)!.files.filter((file) => !file.lazy).flatMap((file) => Object.keys(file.inputs).filter((input) => /^shared\/(schemas|contracts)\//.test(input))));

    // messages.ts builds no schema (it is the error map common.ts installs).
    for (const name of tableFunctions().filter((name) => !name.startsWith('api-'))) expect([...schemaModules(name)].sort(), name).toEqual(['shared/schemas/common.ts', 'shared/schemas/messages.ts']);
    expect(schemaModules('api-contacts')).not.toContain('shared/schemas/opportunities.ts');
    expect(schemaModules('api-contacts')).not.toContain('shared/schemas/leads.ts');
    expect(schemaModules('api-contacts')).not.toContain('shared/schemas/post-sale.ts');
    for (const entity of ['contacts', 'opportunities', 'leads']) expect(schemaModules('api-users'), entity).not.toContain(`shared/schemas/${entity}.ts`);
    expect(schemaModules('api-buy-now')).not.toContain('shared/schemas/opportunities.ts');
  });

  it('Issue 14 item 4 the openapi function ships the document built from the contracts, and answers it without building a schema', async () => {
    const bundle = bundles.get('api-openapi')!;
    expect(new Set(bundle.files.flatMap((file) => Object.keys(file.inputs)).filter((input) => input.startsWith('shared/contracts/')))).toEqual(new Set(['shared/contracts/openapi.ts']));
    const saved = { ...process.env };
    Object.assign(process.env, { TABLE_NAME: 'bundle-test', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:test', USER_POOL_ID: 'us-east-1_test' });
    try {
      const { handler } = (await import(pathToFileURL(join(bundle.dir, 'index.mjs')).href)) as { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };

      const answer = await handler({ routeKey: 'GET /openapi.json', rawPath: '/openapi.json', headers: {}, requestContext: { requestId: 'bundle-test', http: { method: 'GET' } } }, { awsRequestId: 'bundle-test', functionName: 'api-openapi' });

      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.body)).toEqual(JSON.parse(JSON.stringify(apiDocument())));
    } finally {
      process.env = saved;
    }
  });

  it('Issue 14 item 4 the shipped AWS SDK is pinned: every @aws-sdk/* dependency has an exact version', () => {
    const { dependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const sdk = Object.entries(dependencies).filter(([name]) => name.startsWith('@aws-sdk/'));

    expect(sdk.length).toBeGreaterThan(0);
    for (const [name, version] of sdk) expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
