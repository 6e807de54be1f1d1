import { CfnOutput, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/**
 * Issue 13 item 12 (`-c edgeProtection=true`): CloudFront in front of the HTTP API with an AWS WAF web ACL, so a
 * flood from a few addresses with garbage tokens is refused at the edge (403) before it eats the stage's throttle
 * bucket: a rate-based rule per source IP, and AWS's managed common rule set.
 *
 * A web ACL for CloudFront must live in us-east-1. A tenant stack deployed in us-east-1 (or region-agnostic) makes
 * its own; a stack in another region takes the ARN of one made in us-east-1 (`-c edgeWebAclArn=…`, e.g. by a
 * separate small stack there): synth refuses edge protection in another region without it.
 */
export const EDGE_RATE_LIMIT = {
  /** Requests per source IP over the evaluation window, above which that IP is blocked until it slows down. */
  limit: 1000,
  evaluationWindowSec: 300,
} as const;

export const WEB_ACL_REGION = 'us-east-1';

export interface EdgeProtectionProps {
  tenant: string;
  httpApi: apigwv2.HttpApi;
  /** A CLOUDFRONT-scope web ACL made in us-east-1; without it one is made here (the stack must then be in us-east-1). */
  webAclArn?: string | undefined;
}

export class EdgeProtection extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (!props.webAclArn && !Token.isUnresolved(region) && region !== WEB_ACL_REGION) {
      throw new Error(
        `edgeProtection: a CloudFront web ACL must be created in ${WEB_ACL_REGION}; this stack is in ${region}. ` +
          `Deploy the tenant in ${WEB_ACL_REGION}, or create the web ACL there and pass -c edgeWebAclArn=<its ARN>.`,
      );
    }
    this.webAclArn = props.webAclArn ?? this.webAcl(props.tenant).attrArn;

    const apiHost = `${props.httpApi.apiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.tenant}: the CRM API behind AWS WAF`,
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] }),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        // An API: nothing is cached, and every header but Host (Authorization, If-Match, Idempotency-Key …) goes through.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: this.webAclArn,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'A CRM used by the tenant\'s staff wherever they travel: no geo restriction; WAF rate-limits per IP instead.' },
      { id: 'AwsSolutions-CFR3', reason: 'Requests are logged by the API stage\'s access log (every request reaches it); WAF logs what it blocks in its metrics.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default CloudFront domain: its certificate is CloudFront\'s; a custom domain with TLS 1.2 is the tenant\'s choice.' },
    );
    new CfnOutput(Stack.of(this), 'EdgeApiUrl', { value: `https://${this.distribution.distributionDomainName}`, description: 'The API behind CloudFront and AWS WAF' });
  }

  private webAcl(tenant: string): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `pipeline-crm-${tenant}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`pipeline-crm-${tenant}-edge`),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: EDGE_RATE_LIMIT.limit, evaluationWindowSec: EDGE_RATE_LIMIT.evaluationWindowSec, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          name: 'aws-common-rule-set',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
          visibilityConfig: visibility('aws-common-rule-set'),
        },
      ],
    });
  }
}
