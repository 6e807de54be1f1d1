/**
 * The product's languages. Zod-free and apart from the texts (messages.ts), so that the user schemas, which check a
 * user's `locale`, and the mail code share them without either loading the other.
 */
export const LOCALES = ['it', 'en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
