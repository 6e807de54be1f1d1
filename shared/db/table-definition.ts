/**
 * The one table's shape. The CDK stack and the local runtime both build their table from this object,
 * so an index added here exists everywhere. See docs/data-model.md for what each index serves.
 */
export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

export const INDEX_NAMES = ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

/** Where a Query reads: one partition of one index (shared/db/access-patterns.ts names each one). */
export interface IndexPartition {
  index: IndexName;
  partition: string;
}

export const indexKeys = (index: IndexName) => ({ partitionKey: `${index}PK`, sortKey: `${index}SK` }) as const;

/** Items with this attribute (epoch seconds) are deleted by DynamoDB TTL: idempotency records, outbox items. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const tableDefinition = {
  ...TABLE_KEYS,
  indexes: INDEX_NAMES.map((name) => ({ name, ...indexKeys(name) })),
  ttlAttribute: TTL_ATTRIBUTE,
  streamView: 'NEW_AND_OLD_IMAGES',
} as const;

/** CreateTable input for DynamoDB Local, derived from the same definition as the CDK table. */
export function createTableInput(tableName: string) {
  const stringAttr = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' as const },
    ],
    AttributeDefinitions: [
      stringAttr(tableDefinition.partitionKey),
      stringAttr(tableDefinition.sortKey),
      ...tableDefinition.indexes.flatMap((index) => [stringAttr(index.partitionKey), stringAttr(index.sortKey)]),
    ],
    GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamView },
  };
}
