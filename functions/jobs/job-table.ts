import type { AppContext } from '../../shared/app-context.ts';
import type { FunctionAccess } from '../../shared/function-access.ts';
import { runRecap } from './recap.ts';
import { runReminders } from './reminders.ts';

/**
 * Every scheduled job, declared once. A job's Lambda handler lives in `functions/jobs/<name>.ts` (exported as
 * `handler`); the CDK stack deploys it with its schedule and exactly the access declared here, and the local
 * runtime serves `POST /_local/run/<name>` from the same entry.
 */
export interface ScheduledJob {
  name: string;
  description: string;
  /** EventBridge Scheduler expression, evaluated in the tenant's time zone. */
  schedule: string;
  /** What the job's code calls, and all the stack grants it (test/integration/function-access.test.ts and recap.test.ts check the calls). */
  access: FunctionAccess;
  /** Runs the job as if the clock read `now` (the local runtime, tests); resolves to the job's report. */
  runByHand(ctx: AppContext, now: Date): Promise<unknown>;
}

export const scheduledJobs: readonly ScheduledJob[] = [
  {
    name: 'recap',
    description: 'morning overdue-lead recap',
    // Hourly: the job itself sends in the hour of the recap settings (shared/domain/recap.ts recapDecision).
    schedule: 'cron(0 * * * ? *)',
    access: {
      // Settings (Get); the day's receipts (Put to claim, Update when sent, Delete to release a failed claim).
      items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      // GSI1: users and lead statuses; GSI4: the leads in progress of each status (the overdue query).
      queryIndexes: ['GSI1', 'GSI4'],
      cursorSecret: true,
      sendMail: true,
    },
    runByHand: (ctx, now) => runRecap(ctx, { now, trigger: 'by-hand' }),
  },
  {
    name: 'reminders',
    description: 'post-sale task reminder emails',
    // R-PS-8 "within 5 minutes": each run sends every reminder due up to its time.
    schedule: 'rate(5 minutes)',
    access: {
      // Processes and recipients (BatchGet, strongly consistent); receipts (Put to claim, Update when sent, Delete
      // to release a failed claim, Get when another run holds it); a handled reminder leaves the index (Update of its task item).
      items: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      // GSI3: the sparse index of pending reminders, up to now.
      queryIndexes: ['GSI3'],
      sendMail: true,
    },
    runByHand: (ctx, now) => runReminders(ctx, { now }),
  },
];
