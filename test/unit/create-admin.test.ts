import { describe, expect, it } from 'vitest';
import { parseCreateAdminArgs, UsageError } from '../../scripts/create-admin.ts';

const required = ['--table', 'PipelineCrm-acme-DataTable', '--user-pool', 'eu-west-1_AbC123', '--email', 'ada@acme.com', '--name', 'Ada'];

function usageErrorOf(argv: string[]): string {
  try {
    parseCreateAdminArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('SPEC §11 create-admin command line', () => {
  it('SPEC §11 reads the table, pool, admin and takes the region from the pool id', () => {
    expect(parseCreateAdminArgs(required)).toEqual({
      tableName: 'PipelineCrm-acme-DataTable',
      userPoolId: 'eu-west-1_AbC123',
      email: 'ada@acme.com',
      name: 'Ada',
      timezone: 'UTC',
      region: 'eu-west-1',
    });
  });

  it('SPEC §11 takes the tenant time zone and an explicit region that matches the pool', () => {
    const options = parseCreateAdminArgs([...required, '--timezone', 'Europe/Rome', '--region', 'eu-west-1']);

    expect(options).toMatchObject({ timezone: 'Europe/Rome', region: 'eu-west-1' });
  });

  it('SPEC §11 lists every missing flag at once', () => {
    const message = usageErrorOf([]);

    expect(message.split('\n')).toEqual(['--table is required', '--user-pool is required', '--email is required', '--name is required']);
  });

  it.each([
    ['an invalid email', ['--email', 'not-an-email'], /^--email: /],
    ['an unknown time zone', ['--timezone', 'Mars/Olympus'], /--timezone must be an IANA time zone/],
    ['a malformed pool id', ['--user-pool', 'pool'], /--user-pool must be a user pool id/],
    ['a region other than the pool\'s', ['--region', 'us-east-1'], /--region us-east-1 differs from the user pool's region eu-west-1/],
    ['an unknown flag', ['--tenant', 'acme'], /Unknown option '--tenant'/],
  ])('SPEC §11 refuses %s with a clear message', (_, extra, expected) => {
    expect(usageErrorOf([...required, ...extra])).toMatch(expected);
  });
});
