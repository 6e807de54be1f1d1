import type { FilterExpression } from '../db/store.ts';

/**
 * Builds a DynamoDB FilterExpression whose conditions all hold (AND); a list means "any of" (SPEC §1), and an
 * absent or empty list adds no condition. Placeholders are `#attribute` and `:attribute<n>`, so they never clash
 * with a key condition's `#pk` / `:pk`.
 */
export class FilterBuilder {
  private readonly conditions: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};

  /** The attribute is one of the wanted values. */
  isIn(attribute: string, wanted: readonly unknown[] | undefined): this {
    if (!wanted || wanted.length === 0) return this;
    const placeholders = this.placeholders(attribute, wanted);
    this.conditions.push(placeholders.length === 1 ? `#${attribute} = ${placeholders[0]}` : `#${attribute} IN (${placeholders.join(', ')})`);
    return this;
  }

  /** The list (or string) attribute contains at least one of the wanted elements (substrings). */
  containsAny(attribute: string, wanted: readonly unknown[] | undefined): this {
    if (!wanted || wanted.length === 0) return this;
    const tests = this.placeholders(attribute, [...new Set(wanted)]).map((placeholder) => `contains(#${attribute}, ${placeholder})`);
    this.conditions.push(tests.length === 1 ? tests[0]! : `(${tests.join(' OR ')})`);
    return this;
  }

  build(): FilterExpression | undefined {
    if (this.conditions.length === 0) return undefined;
    return { expression: this.conditions.join(' AND '), names: this.names, values: this.values };
  }

  private placeholders(attribute: string, wanted: readonly unknown[]): string[] {
    this.names[`#${attribute}`] = attribute;
    return wanted.map((value, index) => {
      const placeholder = `:${attribute}${index}`;
      this.values[placeholder] = value;
      return placeholder;
    });
  }
}
