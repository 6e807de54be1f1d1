import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // What the test processes leave in the temporary folder (CDK's cloud assemblies with their assets, function
  // bundles: hundreds of MB per run) goes to a folder of this run, removed at its end. The test processes start
  // after this setup and inherit TMPDIR.
  const runTemp = await mkdtemp(join(tmpdir(), 'crm-test-run-'));
  process.env.TMPDIR = runTemp;
  await ensureDynamoDbLocal();
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal({ sharedDb: false }), startSesLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), ses.stop()]);
    await rm(runTemp, { recursive: true, force: true });
  };
}
