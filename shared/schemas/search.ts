import * as z from 'zod';
import { SEARCH_TOO_SHORT } from '../domain/search.ts';

/** `?q=` of the searchable lists; shared/domain/search.ts reads its words (and refuses one without a word of 2 characters). */
export const searchText = z.string().trim().min(1, { error: SEARCH_TOO_SHORT }).max(100, { error: 'Search for at most 100 characters' });
