// Types of scripts/openapi-types.mjs, for the unit tests that import it.
/** The document as committed: keys sorted at every level, two-space indent, a final newline. */
export function canonicalJson(value: unknown): string;
/** The value with the keys of every object sorted. */
export function sortKeys<T>(value: T): T;
/** The TypeScript module generated from an OpenAPI document. */
export function generate(doc: unknown): string;
