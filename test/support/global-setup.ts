import type { TestProject } from 'vitest/node';
import { ensureDynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { startSesLocal } from '../../local/ses-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  await ensureDynamoDbLocal();
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal({ sharedDb: false }), startSesLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), ses.stop()]);
  };
}
