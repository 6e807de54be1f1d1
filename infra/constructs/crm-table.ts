import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/db/table-definition.ts';

/** The tenant's one table, built from shared/db/table-definition.ts like the local one. */
export class CrmTable extends Construct {
  readonly table: dynamodb.ITable;

  /**
   * `existing`: a table made outside the stack (a point-in-time restore, README "Restore a tenant's table"),
   * used instead of creating one; the stack's own table, retained, stays as it was.
   */
  constructor(scope: Construct, id: string, props: { existing?: { name: string; streamArn: string } | undefined } = {}) {
    super(scope, id);
    if (props.existing) {
      this.table = dynamodb.Table.fromTableAttributes(this, 'Restored', { tableName: props.existing.name, tableStreamArn: props.existing.streamArn });
      return;
    }
    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    const table = new dynamodb.Table(this, 'Table', {
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
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.table = table;
  }
}
