import { readFileSync } from 'node:fs';
import {
  type App,
  CloudFormationValidatePlugin,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { TenantConfig } from './tenants.ts';

/**
 * Issue 15 item 2: the synth validations (cdk-nag's AwsSolutions pack, CDK's CloudFormation validation) cost
 * ~3–5 s per stack, so 20 tenants would spend more on them than on everything else. Tenant stacks are built by
 * the same code from different settings: two stacks whose templates are identical once each tenant's own values
 * (name, time zone, currency, addresses, origins, account, region, table) are blanked have the same resources
 * with the same properties, and the same findings. Each distinct shape is validated once, on its first stack;
 * a tenant with another MFA mode, edge protection, alarm mail or restored table has another shape and is
 * validated on its own. A single-tenant synth validates exactly as before.
 */
export function validateEachShapeOnce(app: App, configOf: (stack: Stack) => TenantConfig | undefined): void {
  const shapes = new ShapeRepresentatives(app, configOf);
  Validations.of(app).addPlugins(
    new OnRepresentatives(new AwsSolutionsChecks(app) as unknown as IPolicyValidationPluginBeta1, shapes, 'per-stack'),
    new OnRepresentatives(new CloudFormationValidatePlugin() as unknown as IPolicyValidationPluginBeta1, shapes, 'together'),
  );
}

/** The App props that go with it: CDK's own CloudFormation validation is registered above instead, on representatives. */
export const APP_PROPS_FOR_SHAPE_VALIDATION = { builtinCloudFormationValidation: false } as const;

class ShapeRepresentatives {
  private chosen: Set<string> | undefined;

  constructor(
    private readonly app: App,
    private readonly configOf: (stack: Stack) => TenantConfig | undefined,
  ) {}

  /** Template paths of one stack per shape (computed once, from the written templates). */
  of(templatePaths: readonly string[]): Set<string> {
    if (this.chosen) return this.chosen;
    const stacks = this.app.node.findAll().filter((construct): construct is Stack => Stack.isStack(construct));
    const seen = new Set<string>();
    this.chosen = new Set();
    for (const path of templatePaths) {
      const stack = stacks.find((candidate) => path.endsWith(`/${candidate.templateFile}`));
      const config = stack && this.configOf(stack);
      const shape = config ? blanked(readFileSync(path, 'utf8'), config) : `unknown:${path}`;
      if (!seen.has(shape)) {
        seen.add(shape);
        this.chosen.add(path);
      }
    }
    return this.chosen;
  }

  stackOf(templatePath: string): Stack | undefined {
    return this.app.node.findAll().find((construct): construct is Stack => Stack.isStack(construct) && templatePath.endsWith(`/${construct.templateFile}`));
  }
}

/** A template with the tenant's own values replaced by their key, longest first (a domain inside an address). */
export function blanked(template: string, config: TenantConfig): string {
  const values: [string, string][] = [];
  const add = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.length > 0) values.push([key, value]);
  };
  add('tenant', config.tenant);
  add('timezone', config.timezone);
  add('defaultCurrency', config.defaultCurrency);
  add('alarmEmail', config.alarmEmail);
  add('mailFrom', config.mailFrom);
  add('mailDomain', config.mailFrom?.split('@')[1]);
  add('appUrl', config.appUrl);
  add('account', config.account);
  add('region', config.region);
  add('tableName', config.table?.name);
  add('tableStream', config.table?.streamArn);
  config.corsOrigins.forEach((origin, index) => add(`corsOrigin${index}`, origin));
  values.sort(([, a], [, b]) => b.length - a.length);
  // Ids CDK derives from a construct's path include the stack's id without its dashes, and a hash of that path.
  const pathId = new RegExp(`[A-Za-z0-9]*PipelineCrm${config.tenant.replace(/-/g, '')}[A-Za-z0-9]*`, 'g');
  return values.reduce((text, [key, value]) => text.split(value).join(`<${key}>`), template.replace(pathId, '<path-id>'));
}

class OnRepresentatives implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor(
    private readonly inner: IPolicyValidationPluginBeta1,
    private readonly shapes: ShapeRepresentatives,
    private readonly mode: 'per-stack' | 'together',
  ) {
    // The same name: CDK treats the CloudFormation validation's findings as it always does (warnings).
    this.name = inner.name;
    if (inner.version !== undefined) this.version = inner.version;
    if (inner.ruleIds !== undefined) this.ruleIds = inner.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const chosen = this.shapes.of(context.templatePaths);
    const templatePaths = context.templatePaths.filter((path) => chosen.has(path));
    const narrowed = (paths: string[], appConstruct: IPolicyValidationContextBeta1['appConstruct']) => {
      const full = context as IPolicyValidationContextBeta1 & { stackTemplates?: { templatePath: string }[] };
      return { ...full, templatePaths: paths, appConstruct, stackTemplates: full.stackTemplates?.filter((entry) => paths.includes(entry.templatePath)) };
    };
    if (this.mode === 'together') return this.inner.validate(narrowed(templatePaths, context.appConstruct));
    const reports = templatePaths.map((path) => this.inner.validate(narrowed([path], this.shapes.stackOf(path) ?? context.appConstruct)));
    return {
      success: reports.every((report) => report.success),
      violations: reports.flatMap((report) => report.violations),
      ...(reports[0]?.pluginVersion ? { pluginVersion: reports[0].pluginVersion } : {}),
    };
  }
}
