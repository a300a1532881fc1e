import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson, generate } from '../scripts/openapi-types.mjs';

const doc = (schemas: Record<string, unknown>, paths: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  paths,
  components: { schemas },
});

/** The generated declaration of one schema, comments left out. */
function declaration(schemas: Record<string, unknown>, name: string): string {
  const text = generate(doc(schemas)).replace(/^\s*\/\*\*[\s\S]*?\*\/\n/gm, '');
  const m = new RegExp(`^export interface ${name} \\{[\\s\\S]*?^\\}$|^export type ${name} = .*;$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in\n${text}`);
  return m[0];
}

describe('TypeScript types from the OpenAPI document', () => {
  it('objects: required and optional properties, nullable ones, refs, arrays, maps', () => {
    const schemas = {
      Thing: {
        type: 'object',
        description: 'A thing.',
        required: ['id', 'tags', 'at', 'count', 'box', 'headers'],
        properties: {
          id: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          count: { type: 'integer', format: 'int64', minimum: 0 },
          ratio: { type: ['number', 'null'], format: 'float' },
          tags: { type: 'array', items: { type: 'string' } },
          box: { $ref: '#/components/schemas/Box', description: 'Where.' },
          parent: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Box', description: 'Maybe.' }] },
          kinds: { type: 'array', items: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Kind' }] } },
          headers: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { type: 'string' } },
        },
        additionalProperties: false,
      },
      Box: { type: 'object', required: ['left'], properties: { left: { type: 'number' } } },
      Kind: { type: 'string', enum: ['a', 'b'] },
    };
    expect(declaration(schemas, 'Thing')).toBe(
      [
        'export interface Thing {',
        '  at: string;',
        '  box: Box;',
        '  count: number;',
        '  headers: Record<string, string>;',
        '  id: string;',
        '  kinds?: (Kind | null)[];',
        '  parent?: Box | null;',
        '  ratio?: number | null;',
        '  tags: string[];',
        '}',
      ].join('\n'),
    );
    expect(declaration(schemas, 'Kind')).toBe('export type Kind = "a" | "b";');
    expect(generate(doc(schemas))).toContain('  /** Maybe. */\n  parent?: Box | null;');
  });

  it('operations: request bodies and success answers', () => {
    const text = generate(
      doc(
        { In: { type: 'object', properties: {} }, Out: { type: 'string' } },
        {
          '/a': {
            post: {
              requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/In' } } } },
              responses: {
                '201': { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Out' } } } },
                '400': { description: '', content: { 'application/json': { schema: { type: 'string' } } } },
              },
            },
            delete: { responses: { '204': { description: '' } } },
          },
        },
      ),
    );
    expect(text).toContain('  "POST /a": {\n    /** Success: 201. */\n    body: In;\n    response: Out;\n  };');
    expect(text).toContain('  "DELETE /a": {\n    /** Success: 204. */\n    response: void;\n  };');
  });

  it('fails on what it does not understand instead of guessing', () => {
    expect(() => generate(doc({ X: { not: { type: 'string' } } }))).toThrow(/unsupported keyword "not"/);
    expect(() => generate(doc({ X: { $ref: '#/elsewhere/X' } }))).toThrow(/unsupported \$ref/);
  });

  it('the committed document is canonical and the committed types are made from it', () => {
    const text = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
    const committed = JSON.parse(text);
    expect(text).toBe(canonicalJson(committed));
    expect(readFileSync(new URL('../src/lib/openapi.gen.ts', import.meta.url), 'utf8')).toBe(generate(committed));
  });
});
