import { App, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { allContracts } from '../../shared/contracts/index.ts';

/** Each acknowledged rule on the tree, with the construct it sits on and its reason. */
function acknowledgements(stack: TenantStack): { path: string; id: string; reason: string }[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

let stack: TenantStack;
beforeAll(() => {
  const app = new App();
  stack = new TenantStack(app, 'PipelineCrm-acme', { config: { tenant: 'acme', timezone: 'UTC', defaultCurrency: 'EUR', corsOrigins: [] } });
  // As in infra/app.ts: an unacknowledged AwsSolutions error makes the synth throw.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}, 180_000);

describe('SPEC §11 cdk-nag AwsSolutions', () => {
  it('SPEC §11 the stack has no unacknowledged AwsSolutions finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('SPEC §11 each acknowledgement is one of the reasoned exceptions, with its reason', () => {
    const acknowledged = acknowledgements(stack);
    const publicRoutes = allContracts.filter((route) => route.roles === 'public');

    expect(acknowledged.filter((ack) => ack.id === 'AwsSolutions-APIG4')).toHaveLength(publicRoutes.length);
    // The cursor HMAC key and the Stripe webhook secret (R-BUY-3: issued and rotated by Stripe).
    expect(acknowledged.filter((ack) => ack.id === 'AwsSolutions-SMG4')).toHaveLength(2);
    expect(acknowledged.filter((ack) => ack.id === 'AwsSolutions-COG2')).toHaveLength(1);
    expect(acknowledged.filter((ack) => ack.id === 'AwsSolutions-SQS3')).toHaveLength(1);
    // Issue 15 item 4: X-Ray's two actions take only `*`; the acknowledgement sits on each function's Tracing policy alone.
    const xray = acknowledged.filter((ack) => ack.id === 'AwsSolutions-IAM5[Resource::*]');
    expect(xray).toHaveLength(stack.node.findAll().filter((construct) => construct instanceof lambda.Function).length);
    for (const ack of xray) expect(ack.path).toMatch(/\/Tracing$/);
    expect(new Set(acknowledged.map((ack) => ack.id))).toEqual(new Set(['AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'AwsSolutions-COG2', 'AwsSolutions-SQS3', 'AwsSolutions-IAM5[Resource::*]']));
    for (const ack of acknowledged) expect(ack.reason.length, ack.path).toBeGreaterThan(40);
  });
});
