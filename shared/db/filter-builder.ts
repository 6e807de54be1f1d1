import type { Condition } from '../domain/list-plan.ts';
import type { FilterExpression } from './store.ts';

/**
 * The conditions of a list plan as one DynamoDB FilterExpression whose conditions all hold (AND); `in` is "is one
 * of", `containsAny` "contains at least one of" (a list element or a substring). Placeholders are `#field` and
 * `:field<n>`, so they never clash with a key condition's `#pk` / `:pk`.
 */
export function filterExpression(conditions: readonly Condition[]): FilterExpression | undefined {
  const expressions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const placeholders = (field: string, wanted: readonly unknown[]) => {
    names[`#${field}`] = field;
    return wanted.map((value, index) => {
      const placeholder = `:${field}${index}`;
      values[placeholder] = value;
      return placeholder;
    });
  };
  for (const condition of conditions) {
    if ('in' in condition) {
      if (condition.in.length === 0) continue;
      const wanted = placeholders(condition.field, condition.in);
      expressions.push(wanted.length === 1 ? `#${condition.field} = ${wanted[0]}` : `#${condition.field} IN (${wanted.join(', ')})`);
    } else {
      if (condition.containsAny.length === 0) continue;
      const tests = placeholders(condition.field, [...new Set(condition.containsAny)]).map((placeholder) => `contains(#${condition.field}, ${placeholder})`);
      expressions.push(tests.length === 1 ? tests[0]! : `(${tests.join(' OR ')})`);
    }
  }
  if (expressions.length === 0) return undefined;
  return { expression: expressions.join(' AND '), names, values };
}
