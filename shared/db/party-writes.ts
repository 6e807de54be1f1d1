import type { Company, Contact } from '../schemas/contacts.ts';
import type { Aggregate } from './aggregate-writer.ts';
import { companyModel, contactModel } from './keys.ts';
import { unknownReference } from './references.ts';
import { searchIndexOf } from './search-index.ts';
import { validationFailed } from '../domain/errors.ts';

/**
 * Contacts and companies as aggregates (R-CON-1..R-CON-3). A contact holds a use of its employer, moved as it
 * moves (shared/db/uses.ts), so the company cannot be deleted under it, and joins one only while it is in service.
 */
export const contactAggregate: Aggregate<Contact> = {
  model: contactModel,
  uses: [{ of: (contact) => (contact.companyId ? companyModel.key(contact.companyId) : undefined), whenGone: () => validationFailed([unknownReference(companyModel, 'companyId')]) }],
  // Issue 14: its search index items (words, tags) change with it.
  derived: searchIndexOf('contacts'),
};

export const companyAggregate: Aggregate<Company> = { model: companyModel, derived: searchIndexOf('companies') };
