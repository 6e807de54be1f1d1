import type { AppContext } from '../../shared/app-context.ts';
import type { FunctionAccess } from '../../shared/function-access.ts';
import { testDocumentClient } from './database.ts';

/** IAM authorises each item of a TransactWriteItems as the action of its kind. */
const TRANSACTION_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

/**
 * A copy of `ctx` whose side effects are recorded into `calls` the way the stack grants them: `<ItemAction>` on
 * the table, `Query <index>` on an index, `cursorSecret` (a cursor signed or checked), `userDirectory` (a Cognito
 * call) and `sendMail`. Its DynamoDB client is its own, so recording never sees another caller's calls.
 */
export function recordingContext(ctx: AppContext, calls = new Set<string>()): { ctx: AppContext; calls: Set<string> } {
  const db = testDocumentClient();
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      const input = args.input as { IndexName?: string; TransactItems?: Record<string, unknown>[] };
      if (command === 'TransactWriteItems') for (const item of input.TransactItems ?? []) calls.add(TRANSACTION_ACTIONS[Object.keys(item)[0]!]!);
      else if (input.IndexName) calls.add(`Query ${input.IndexName}`);
      else calls.add(command.replace(/^(Get|Put|Update|Delete|BatchGet|BatchWrite)$/, '$1Item'));
      return next(args);
    },
    { step: 'initialize', name: 'record-calls' },
  );
  const recorded = <A extends unknown[], R>(call: string, fn: (...args: A) => Promise<R>) => (...args: A) => {
    calls.add(call);
    return fn(...args);
  };
  return {
    ctx: {
      ...ctx,
      db,
      cursors: { encode: recorded('cursorSecret', ctx.cursors.encode.bind(ctx.cursors)), decode: recorded('cursorSecret', ctx.cursors.decode.bind(ctx.cursors)) },
      directory: {
        createUser: recorded('userDirectory', ctx.directory.createUser.bind(ctx.directory)),
        updateUser: recorded('userDirectory', ctx.directory.updateUser.bind(ctx.directory)),
      },
      mailer: { send: recorded('sendMail', ctx.mailer.send.bind(ctx.mailer)) },
    },
    calls,
  };
}

/** The calls `access` allows, named as `recordingContext` records them. */
export function grantedCalls(access: FunctionAccess): string[] {
  return [
    ...access.items,
    ...access.queryIndexes.map((index) => `Query ${index}`),
    ...(access.cursorSecret ? ['cursorSecret'] : []),
    ...(access.userDirectory ? ['userDirectory'] : []),
    ...(access.sendMail ? ['sendMail'] : []),
  ];
}

/** A copy of `ctx` that counts its DynamoDB calls by command (`BatchGetItem`, `Query`, …): what a read costs in calls. */
export function countingContext(ctx: AppContext): { ctx: AppContext; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const db = testDocumentClient();
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName?.replace(/Command$/, '') ?? 'unknown').replace(/^(Get|Put|Update|Delete|BatchGet|BatchWrite)$/, '$1Item');
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'count-calls' },
  );
  return { ctx: { ...ctx, db }, counts };
}
