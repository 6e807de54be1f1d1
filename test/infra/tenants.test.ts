import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { tenantApp } from '../../infra/tenant-app.ts';
import { TENANTS_FILE, tenantConfigFromContext, tenantsFromFile, tenantsToSynthesize, type TenantConfig } from '../../infra/tenants.ts';
import { blanked } from '../../infra/validation.ts';

const fileOf = (...tenants: unknown[]) => JSON.stringify({ tenants });
const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

const acme = {
  tenant: 'acme',
  region: 'eu-west-1',
  timezone: 'Europe/Rome',
  defaultCurrency: 'EUR',
  corsOrigins: ['https://crm.acme.example'],
  alarmEmail: 'ops@acme.example',
  mfa: 'required',
  edgeProtection: true,
  edgeWebAclArn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/acme-edge/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
};
const beta = { tenant: 'beta', timezone: 'America/New_York', defaultCurrency: 'USD' };

describe('Issue 15 item 2: tenants declared once (tenants.json)', () => {
  it('Issue 15 item 2 / SPEC §11 the checked-in tenants.json is valid and names each tenant once', () => {
    const tenants = tenantsFromFile(readFileSync(TENANTS_FILE, 'utf8'));

    expect(tenants.length).toBeGreaterThan(0);
    expect(new Set(tenants.map((config) => config.tenant)).size).toBe(tenants.length);
  });

  it('Issue 15 item 2 a bad entry fails naming the tenant and every bad field, and nothing of the good ones', () => {
    const bad = { tenant: 'beta', account: '12', timezone: 'Mars/Olympus', defaultCurrency: 'euro', corsOrigins: ['https://a.example/app'], alarmEmail: 'ops', mailFrom: 'crm', appUrl: 'crm.beta', mfa: 'sometimes', edgeProtection: 'yes', colour: 'red' };

    const refusal = (() => {
      try {
        tenantsFromFile(fileOf(acme, bad, { timezone: 'UTC' }));
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    })();

    const betaLine = refusal.split('\n').find((line) => line.includes('tenant "beta"'))!;
    for (const field of ['account', 'timezone', 'defaultCurrency', 'corsOrigins.0', 'alarmEmail', 'mailFrom', 'appUrl', 'mfa', 'edgeProtection', 'colour']) {
      expect(betaLine, field).toContain(field);
    }
    expect(betaLine).toContain('"Mars/Olympus"');
    expect(refusal).toMatch(/tenant #3: tenant is required/);
    expect(refusal).not.toContain('tenant "acme"');
  });

  it('Issue 13 / 15 edge protection outside us-east-1 without a web ACL ARN fails the check naming edgeWebAclArn, before any build', () => {
    const { edgeWebAclArn: _arn, ...withoutArn } = acme;

    expect(() => tenantsFromFile(fileOf(withoutArn))).toThrowError(/tenant "acme".*edgeWebAclArn is required with edgeProtection outside us-east-1/);
    expect(tenantsFromFile(fileOf({ ...withoutArn, region: 'us-east-1' }))).toMatchObject([{ tenant: 'acme', edgeProtection: true }]);
    expect(tenantsFromFile(fileOf({ ...withoutArn, edgeProtection: false }))).toMatchObject([{ tenant: 'acme', edgeProtection: false }]);
  });

  it('Issue 15 item 2 a bad origin in a comma-separated -c corsOrigins flag is reported as that origin', () => {
    expect(() => tenantConfigFromContext(contextOf({ tenant: 'zzz', corsOrigins: 'https://ok.example,badorigin' }))).toThrowError(/corsOrigins\.1 is not an origin like https:\/\/app\.example\.com, got "badorigin"/);
  });

  it('Issue 15 item 2 a tenant declared twice fails the synth', () => {
    expect(() => tenantsFromFile(fileOf(acme, acme))).toThrowError(/tenant "acme": declared twice/);
  });

  it('Issue 15 item 2 without -c tenant every tenant of the file is built (cdk deploy --all)', () => {
    const tenants = tenantsToSynthesize(contextOf({}), fileOf(acme, beta));

    expect(tenants.map((config) => config.tenant)).toEqual(['acme', 'beta']);
    expect(tenants[1]).toMatchObject({ timezone: 'America/New_York', defaultCurrency: 'USD', corsOrigins: [], mfa: 'optional', edgeProtection: false, mailFrom: 'crm@beta.example.com' });
  });

  it('Issue 15 item 2 -c tenant=acme builds that entry only, and other -c flags override it for a one-off', () => {
    const [plain] = tenantsToSynthesize(contextOf({ tenant: 'acme' }), fileOf(acme, beta));
    const overridden = tenantsToSynthesize(contextOf({ tenant: 'acme', mfa: 'optional', corsOrigins: 'https://a.example,https://b.example', edgeProtection: 'false' }), fileOf(acme, beta));

    expect(plain).toMatchObject({ ...acme, mailFrom: 'crm@acme.example.com' });
    expect(overridden).toHaveLength(1);
    expect(overridden[0]).toMatchObject({ tenant: 'acme', region: 'eu-west-1', timezone: 'Europe/Rome', mfa: 'optional', corsOrigins: ['https://a.example', 'https://b.example'], edgeProtection: false });
  });

  it('Issue 15 item 2 a tenant absent from the file is a one-off made of its flags, checked the same way', () => {
    expect(tenantsToSynthesize(contextOf({ tenant: 'gamma', timezone: 'Asia/Tokyo' }), fileOf(acme))).toMatchObject([{ tenant: 'gamma', timezone: 'Asia/Tokyo' }]);
    expect(() => tenantsToSynthesize(contextOf({ tenant: 'acme', timezone: 'Mars/Olympus' }), fileOf(acme))).toThrowError(/context timezone must be an IANA time zone/);
  });

  it('Issue 15 item 2 an override flag without -c tenant is refused (it would apply to every tenant)', () => {
    expect(() => tenantsToSynthesize(contextOf({ mfa: 'required' }), fileOf(acme, beta))).toThrowError(/add -c tenant=<name>/);
  });
});

describe('Issue 15 item 5: a restored table (tenants.json "table")', () => {
  it('Issue 15 item 5 the stack uses the restored table and its stream instead of creating one', () => {
    const restored = { name: 'PipelineCrm-acme-restored-20261201', streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/PipelineCrm-acme-restored-20261201/stream/2026-12-02T01:00:00.000' };
    const [config] = tenantsToSynthesize(contextOf({ tenant: 'acme' }), fileOf({ ...acme, table: restored }));

    const template = Template.fromStack(new TenantStack(new App(), 'PipelineCrm-acme', { config: config! }));

    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }[];
    const tableNames = functions.map((fn) => fn.Properties.Environment?.Variables?.TABLE_NAME).filter((name) => name !== undefined);
    expect(tableNames.length).toBeGreaterThan(10);
    for (const name of tableNames) expect(name).toBe(restored.name);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: restored.streamArn });
    template.hasOutput('TableName', { Value: restored.name });
  }, 180_000);

  it('Issue 15 item 5 a restored table needs its name and its stream ARN', () => {
    expect(() => tenantsFromFile(fileOf({ ...acme, table: { name: 'x' } }))).toThrowError(/table.name must be a DynamoDB table name[\s\S]*table.streamArn/);
  });
});

describe('Issue 15 item 2: synth validations once per stack shape', () => {
  const template = (config: TenantConfig) =>
    JSON.stringify({ Description: `Pipeline CRM for tenant ${config.tenant}`, Id: `RulePipelineCrm${config.tenant.replace(/-/g, '')}Events1A2B3C4D`, Tz: config.timezone, From: config.mailFrom, Mfa: config.mfa });
  const one = tenantConfigFromContext(contextOf({ tenant: 'one-co', timezone: 'Europe/Rome', mailFrom: 'crm@one.example' }));
  const two = tenantConfigFromContext(contextOf({ tenant: 'two-co', timezone: 'Asia/Tokyo', mailFrom: 'crm@two.example' }));
  const strict = tenantConfigFromContext(contextOf({ tenant: 'three-co', mfa: 'required' }));

  it('Issue 15 item 2 two tenants differing only in their own values share a shape; another MFA mode is another shape', () => {
    expect(blanked(template(one), one)).toBe(blanked(template(two), two));
    expect(blanked(template(strict), strict)).not.toBe(blanked(template(one), one));
  });

  it('Issue 15 item 2 cdk-nag still fails the synth of many tenants when a stack of another shape has a finding', () => {
    const app = tenantApp([one, two, strict], { outdir: mkdtempSync(join(tmpdir(), 'crm-shapes-')) });
    const strictStack = app.node.findChild('PipelineCrm-three-co') as TenantStack;
    // A finding only the third tenant's stack has: a queue without SSL enforcement or a dead-letter queue.
    new sqs.CfnQueue(strictStack, 'UncheckedQueue');

    expect(() => app.synth()).toThrowError(/PipelineCrm-three-co\/UncheckedQueue/);
  }, 300_000);
});
