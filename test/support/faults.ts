import type { AppContext } from '../../shared/app-context.ts';
import { testDocumentClient } from './database.ts';

/**
 * Fault injection: a copy of `ctx` whose DynamoDB client throws, before sending, each command `fails` picks
 * (by its name without "Command", e.g. `TransactWriteItems`, `PutItem`, `UpdateItem`, `Query`, and its input). The failure stands for
 * a crash, a timeout or a throttle at that point; nothing of the failed command is written.
 */
export function faultyContext(ctx: AppContext, fails: (command: string, input: any) => boolean): { ctx: AppContext; failures: () => number } {
  const { db, failures } = faultyClient(fails);
  return { ctx: { ...ctx, db }, failures };
}

const injectedFault = (command: string): Error => Object.assign(new Error(`Injected fault on ${command}`), { name: 'InjectedFault' });

/**
 * A DynamoDB Local client that fails the commands `fails` picks (for a runtime's `context: { db }`), with the error
 * `fault` makes (default: one no AWS service throws, which the API answers as a bug; a throttle, as DynamoDB throws
 * it once the SDK's retries are spent, is answered as a busy service).
 */
export function faultyClient(fails: (command: string, input: any) => boolean, fault: (command: string) => Error = injectedFault) {
  const db = testDocumentClient();
  let failures = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      if (fails(command, args.input)) {
        failures++;
        throw fault(command);
      }
      return next(args);
    },
    { step: 'initialize', name: 'inject-faults' },
  );
  return { db, failures: () => failures };
}

/**
 * A copy of `ctx` whose DynamoDB client, once the first command `picks` chooses has been answered, runs `meanwhile`
 * before handing that answer back: another writer's change lands between a read and what the reader does with it,
 * an interleaving DynamoDB Local never produces on its own.
 */
export function interleavedContext(ctx: AppContext, picks: (command: string, input: any) => boolean, meanwhile: () => Promise<unknown>): AppContext {
  const db = testDocumentClient();
  let pending = true;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const answer = await next(args);
      if (pending && picks(context.commandName?.replace(/Command$/, '') ?? 'unknown', args.input)) {
        pending = false;
        await meanwhile();
      }
      return answer;
    },
    { step: 'initialize', name: 'interleave' },
  );
  return { ...ctx, db };
}

/** The items a write command puts, updates or deletes (single or in a transaction), by key. */
export function keysWritten(command: string, input: any): { PK: unknown; SK: unknown }[] {
  const keyOf = (write: any) => write?.Item ?? write?.Key;
  if (command === 'TransactWriteItems') return (input.TransactItems ?? []).map((item: any) => keyOf(item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck)).filter(Boolean);
  if (/^(Put|Update|Delete)(Item)?$/.test(command)) return [keyOf(input)].filter(Boolean);
  return [];
}

/** A predicate for `faultyContext`: the first `times` writes that touch `key`. */
export function writesOf(key: { PK: string; SK: string }, times = 1): (command: string, input: any) => boolean {
  let left = times;
  return (command, input) => {
    if (left <= 0 || !keysWritten(command, input).some((written) => written.PK === key.PK && written.SK === key.SK)) return false;
    left--;
    return true;
  };
}
