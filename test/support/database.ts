import { ulid } from 'ulid';
import { inject } from 'vitest';
import type { LocalDatabase } from '../../local/dynamodb-local.ts';
import { documentClient } from '../../shared/app-context.ts';

/**
 * This test file's database: the run's one DynamoDB Local is started without `-sharedDb` (test/support/global-setup.ts),
 * so an access key of the file's own is a database of the file's own, with no stream history of the files before it
 * (see `DynamoDbLocalOptions.sharedDb`). DynamoDB Local accepts only letters and digits in an access key.
 */
export const testDatabase: LocalDatabase = { endpoint: inject('dynamoEndpoint'), accessKeyId: `testfile${ulid()}` };

/** A document client of this file's database (its own instance, e.g. to add a middleware to it). */
export const testDocumentClient = () => documentClient(testDatabase.endpoint, testDatabase.accessKeyId);
