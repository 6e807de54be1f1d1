import type { SearchEntity } from '../../domain/search.ts';
import { companyModel, contactModel, leadModel, opportunityModel } from '../keys.ts';
import { searchTermsOf } from '../search-index.ts';
import type { Item, Migration } from './types.ts';

const ENTITY_OF_RECORD_TYPE: Record<string, SearchEntity> = {
  [contactModel.label]: 'contacts',
  [companyModel.label]: 'companies',
  [leadModel.label]: 'leads',
  [opportunityModel.label]: 'opportunities',
};

/**
 * 2 → 3. Since the search index (issue 14, SPEC §1 "Search") every contact, company, lead and opportunity writes its
 * index items in its own transaction; records written before have none and would never be found by `?q=`/`?tag=`.
 * Each gets its items as its current state derives them. A record changed by the running code meanwhile is safe: its
 * writer puts the same items (or newer ones), and search checks every candidate against its record.
 */
export const searchIndex: Migration = {
  id: 3,
  name: 'search-index',
  description: 'records written before the search index (issue 14) get their index items',
  derive: (item: Item) => {
    const entity = ENTITY_OF_RECORD_TYPE[String(item.recordType)];
    return entity ? searchTermsOf(entity, item as Parameters<typeof searchTermsOf>[1]) : [];
  },
};
