/**
 * The most tasks a template or a process holds: a process and its task index items commit in one transaction. In a
 * module of its own, read by the rules (post-sale.ts) and the schemas (shared/schemas/post-sale.ts): importing the
 * schemas builds every one of them (zod, at cold start), which the functions that only apply the rules skip.
 */
export const MAX_TASKS = 40;
