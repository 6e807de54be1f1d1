import { recordType } from './001-record-type.ts';
import { activeAdminsGuard } from './002-active-admins-guard.ts';
import { searchIndex } from './003-search-index.ts';
import { boardCounters } from './004-board-counters.ts';
import { searchFolding } from './005-search-folding.ts';
import { processDealOwners } from './006-process-deal-owners.ts';
import type { Migration } from './types.ts';

/** Every migration, in order; the table's shape version is the id of the last one applied. */
export const MIGRATIONS: readonly Migration[] = [recordType, activeAdminsGuard, searchIndex, boardCounters, searchFolding, processDealOwners];

/** The shape the code of this commit reads and writes. */
export const CURRENT_SHAPE_VERSION = MIGRATIONS.at(-1)!.id;
