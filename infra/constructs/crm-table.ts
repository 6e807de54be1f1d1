import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/db/table-definition.ts';

/**
 * Item-level actions the handlers use (shared/db: Get, BatchGet, Query, Put, Update, Delete and the same in
 * TransactWriteItems, which IAM authorises per item as PutItem/UpdateItem/DeleteItem/ConditionCheckItem).
 * No Scan: every access pattern is a key or index query.
 */
const ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** The tenant's one table, built from shared/db/table-definition.ts like the local one. */
export class CrmTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(tableDefinition.partitionKey),
      sortKey: stringKey(tableDefinition.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: dynamodb.StreamViewType[tableDefinition.streamView],
    });
    for (const index of tableDefinition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Reads and writes items: item actions on the table, Query on each named index (no `index/*` wildcard). */
  grantItemAccess(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ITEM_ACTIONS, resourceArns: [this.table.tableArn] });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: tableDefinition.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`),
    });
  }
}
