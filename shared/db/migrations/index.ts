import { recordType } from './001-record-type.ts';
import { activeAdminsGuard } from './002-active-admins-guard.ts';
import type { Migration } from './types.ts';

/** Every migration, in order; the table's shape version is the id of the last one applied. */
export const MIGRATIONS: readonly Migration[] = [recordType, activeAdminsGuard];

/** The shape the code of this commit reads and writes. */
export const CURRENT_SHAPE_VERSION = MIGRATIONS.at(-1)!.id;
