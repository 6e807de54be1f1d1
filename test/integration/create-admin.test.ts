import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, type CreateAdminOptions } from '../../scripts/create-admin.ts';
import type { DirectoryUser, UserDirectory } from '../../shared/auth/user-directory.ts';
import { settingsModel, PIPELINE_SETTINGS_ID } from '../../shared/db/keys.ts';
import { createTableInput } from '../../shared/db/table-definition.ts';
import { testDocumentClient } from '../support/database.ts';

const db = testDocumentClient();

/** Stands in for the Cognito pool: records whom the command invites. */
function recordingDirectory(): UserDirectory & { invited: DirectoryUser[] } {
  const invited: DirectoryUser[] = [];
  return {
    invited,
    async createUser(user) {
      invited.push(user);
    },
    async updateUser() {
      throw new Error('create-admin never changes an existing user');
    },
  };
}

let options: CreateAdminOptions;
beforeAll(async () => {
  const tableName = `test-${ulid()}`;
  await db.send(new CreateTableCommand(createTableInput(tableName)));
  options = { tableName, userPoolId: 'eu-west-1_AbC123', email: 'ada@acme.com', name: 'Ada', timezone: 'Europe/Rome', region: 'eu-west-1' };
});

describe('SPEC §11 create-admin seeds a new tenant', () => {
  it('SPEC §11 creates the default pipeline in the tenant time zone and an admin invited through the directory', async () => {
    const directory = recordingDirectory();

    const admin = await createAdmin(options, { db, directory });

    expect(admin).toMatchObject({ email: 'ada@acme.com', name: 'Ada', role: 'admin', timezone: 'Europe/Rome', active: true });
    expect(directory.invited).toEqual([{ userId: admin.id, email: 'ada@acme.com', name: 'Ada', role: 'admin', active: true }]);
    const { Item: settings } = await db.send(new GetCommand({ TableName: options.tableName, Key: settingsModel.key(PIPELINE_SETTINGS_ID) }));
    expect(settings?.recap).toMatchObject({ timezone: 'Europe/Rome' });
  });

  it('SPEC §11 running it again returns the same admin and invites nobody', async () => {
    const first = await createAdmin(options, { db, directory: recordingDirectory() });
    const directory = recordingDirectory();

    const again = await createAdmin(options, { db, directory });

    expect(again.id).toBe(first.id);
    expect(directory.invited).toEqual([]);
  });
});
