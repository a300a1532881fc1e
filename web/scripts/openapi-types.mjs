#!/usr/bin/env node
// TypeScript types from the server's OpenAPI document (web/openapi.json, a copy of what
// `GET /api/openapi.json` serves), so the client's API types come from the same document.
//
//   node scripts/openapi-types.mjs            writes src/lib/openapi.gen.ts
//   node scripts/openapi-types.mjs --check    fails (exit 1) when that file is out of date
//   node scripts/openapi-types.mjs --from URL first saves the document a running server
//                                             serves (URL of the server or of the document)
//                                             into web/openapi.json, keys sorted
//
// One exported type per schema of `components.schemas`, and `Operations`: each operation's
// JSON request body and success answer, by "METHOD /path". Only what the document uses is
// supported (objects, arrays, enums, `$ref`, `oneOf`/`anyOf`/`allOf`, type lists with
// "null"); anything else fails loudly instead of turning into a wrong type.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENT = join(WEB_DIR, 'openapi.json');
const OUTPUT = join(WEB_DIR, 'src', 'lib', 'openapi.gen.ts');

/** The document as committed: keys sorted at every level, two-space indent, a final newline. */
export function canonicalJson(value) {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

export function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** Keywords that only document or constrain a value; they change nothing in its type. */
const ANNOTATIONS = new Set([
  'description', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'example',
  'examples', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly', 'propertyNames',
  'multipleOf', 'contentEncoding', 'contentMediaType',
]);
const HANDLED = new Set(['$ref', 'oneOf', 'anyOf', 'allOf', 'enum', 'const', 'type', 'items', 'properties', 'required', 'additionalProperties']);

function refName(ref) {
  const m = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  return m[1];
}

/** `A | B` inside `[]` or `&` needs parentheses. */
function paren(ts) {
  return /[|&]/.test(ts) && !/^\{[\s\S]*\}$/.test(ts) ? `(${ts})` : ts;
}

/** `A | B`, each member once, `null` last. */
function union(parts) {
  const unique = [...new Set(parts)].sort((a, b) => (a === 'null') - (b === 'null'));
  return unique.length ? unique.join(' | ') : 'never';
}

function comment(text, indent) {
  if (!text) return '';
  const lines = String(text).replaceAll('*/', '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ' ' + l : ''}`).join('\n')}\n${indent} */\n`;
}

function checkKeywords(schema, where) {
  for (const key of Object.keys(schema)) {
    if (!HANDLED.has(key) && !ANNOTATIONS.has(key)) throw new Error(`${where}: unsupported keyword "${key}"`);
  }
}

/** The description of a property: its own, or that of the one non-null member of its `oneOf`. */
function describe(schema) {
  if (schema.description) return schema.description;
  const members = schema.oneOf ?? schema.anyOf;
  const described = members?.filter((m) => m.description);
  return described?.length === 1 ? described[0].description : undefined;
}

/** The TypeScript type of a schema, inline. */
function tsType(schema, where, indent = '') {
  if (schema === true || (schema && typeof schema === 'object' && Object.keys(schema).length === 0)) return 'unknown';
  if (!schema || typeof schema !== 'object') throw new Error(`${where}: not a schema`);
  checkKeywords(schema, where);
  if (schema.$ref) return refName(schema.$ref);
  if (schema.oneOf || schema.anyOf) {
    return union((schema.oneOf ?? schema.anyOf).map((m, i) => paren(tsType(m, `${where}/oneOf/${i}`, indent))));
  }
  if (schema.allOf) return schema.allOf.map((m, i) => paren(tsType(m, `${where}/allOf/${i}`, indent))).join(' & ');
  if (schema.enum) return union(schema.enum.map((v) => JSON.stringify(v)));
  if ('const' in schema) return JSON.stringify(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (!types.length) {
    if (schema.properties || schema.additionalProperties !== undefined) return objectType(schema, where, indent);
    if (schema.items) return `${paren(tsType(schema.items, `${where}/items`, indent))}[]`;
    return 'unknown';
  }
  return union(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return `${paren(tsType(schema.items ?? {}, `${where}/items`, indent))}[]`;
        case 'object':
          return objectType(schema, where, indent);
        default:
          throw new Error(`${where}: unsupported type "${t}"`);
      }
    }),
  );
}

/** The members of an object type, one per line (`?` for a property that may be absent). */
function members(schema, where, indent) {
  const required = new Set(schema.required ?? []);
  const props = schema.properties ?? {};
  for (const name of required) if (!(name in props)) throw new Error(`${where}: required "${name}" is not a property`);
  const lines = Object.keys(props)
    .sort()
    .map((name) => {
      const key = IDENT.test(name) ? name : JSON.stringify(name);
      const type = tsType(props[name], `${where}/properties/${name}`, indent + '  ');
      return `${comment(describe(props[name]), indent + '  ')}${indent}  ${key}${required.has(name) ? '' : '?'}: ${type};\n`;
    });
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false && lines.length) {
    throw new Error(`${where}: named properties with additionalProperties are not supported`);
  }
  return lines.join('');
}

function objectType(schema, where, indent) {
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false && !Object.keys(schema.properties ?? {}).length) {
    // A map: `{"type": "object", "additionalProperties": {...}}`.
    return `Record<string, ${extra === true ? 'unknown' : tsType(extra, `${where}/additionalProperties`, indent)}>`;
  }
  const body = members(schema, where, indent);
  return body ? `{\n${body}${indent}}` : 'Record<string, unknown>';
}

function isObjectSchema(schema) {
  return (
    schema.type === 'object' &&
    !schema.$ref && !schema.oneOf && !schema.anyOf && !schema.allOf && !schema.enum &&
    schema.properties !== undefined
  );
}

/** The JSON schema of a request body or an answer, or `undefined` for none (or not JSON). */
function jsonSchema(content) {
  if (!content) return undefined;
  const json = content['application/json'];
  return json ? (json.schema ?? {}) : undefined;
}

function operations(doc) {
  const lines = [];
  for (const path of Object.keys(doc.paths ?? {}).sort()) {
    for (const method of METHODS) {
      const op = doc.paths[path][method];
      if (!op) continue;
      const where = `paths/${path}/${method}`;
      const codes = Object.keys(op.responses ?? {}).filter((c) => /^2\d\d$/.test(c)).sort();
      const answers = codes.map((c) => {
        const schema = jsonSchema(op.responses[c].content);
        if (op.responses[c].content && schema === undefined) return 'unknown';
        return schema === undefined ? 'void' : tsType(schema, `${where}/responses/${c}`, '    ');
      });
      const body = jsonSchema(op.requestBody?.content);
      const entry = [comment(`${op.summary ? `${op.summary}\n\n` : ''}Success: ${codes.join(', ') || 'none'}.`, '    ')];
      if (body !== undefined) {
        const type = tsType(body, `${where}/requestBody`, '    ');
        entry.push(`    body: ${type};\n`);
      }
      entry.push(`    response: ${union(answers)};\n`);
      lines.push(`  ${JSON.stringify(`${method.toUpperCase()} ${path}`)}: {\n${entry.join('')}  };\n`);
    }
  }
  return lines.join('');
}

/** The generated module for a document. */
export function generate(doc) {
  const schemas = doc.components?.schemas ?? {};
  const out = [
    `// Generated from web/openapi.json (the server's GET /api/openapi.json, OpenAPI ${doc.openapi}) by\n`,
    '// scripts/openapi-types.mjs. Do not edit: run `npm run api-types` after updating web/openapi.json.\n',
  ];
  for (const name of Object.keys(schemas).sort()) {
    if (!IDENT.test(name)) throw new Error(`schema name "${name}" is not an identifier`);
    const schema = schemas[name];
    const where = `components/schemas/${name}`;
    out.push('\n', comment(schema.description, ''));
    if (isObjectSchema(schema)) {
      checkKeywords(schema, where);
      out.push(`export interface ${name} {\n${members(schema, where, '')}}\n`);
    } else {
      out.push(`export type ${name} = ${tsType(schema, where)};\n`);
    }
  }
  out.push(
    '\n/**\n * Every operation by `METHOD /path`: its JSON request body (`body`, when it takes one) and the JSON\n' +
      ' * of its success answers (`response`; `void` when they have no body, `unknown` when it is not JSON).\n */\n',
    `export interface Operations {\n${operations(doc)}}\n`,
  );
  return out.join('');
}

async function fetchDocument(from) {
  const url = /\/openapi\.json$/.test(from) ? from : `${from.replace(/\/$/, '')}/api/openapi.json`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.json();
}

async function main(argv) {
  const check = argv.includes('--check');
  const fromAt = argv.indexOf('--from');
  const rel = (p) => relative(process.cwd(), p) || p;
  if (fromAt >= 0) {
    const from = argv[fromAt + 1];
    if (!from) throw new Error('--from needs the URL of a running server');
    writeFileSync(DOCUMENT, canonicalJson(await fetchDocument(from)));
    console.log(`api-types: saved ${from}'s document to ${rel(DOCUMENT)}`);
  }
  const text = readFileSync(DOCUMENT, 'utf8');
  const doc = JSON.parse(text);
  if (check && text !== canonicalJson(doc)) {
    console.error(`api-types: ${rel(DOCUMENT)} is not in canonical form (keys sorted, 2-space indent): run npm run api-types -- --from <server URL>`);
    return 1;
  }
  const generated = generate(doc);
  if (check) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {
      // missing: out of date
    }
    if (current !== generated) {
      console.error(`api-types: ${rel(OUTPUT)} is out of date with ${rel(DOCUMENT)}: run npm run api-types`);
      return 1;
    }
    console.log(`api-types: ${rel(OUTPUT)} is up to date`);
    return 0;
  }
  writeFileSync(OUTPUT, generated);
  console.log(`api-types: wrote ${rel(OUTPUT)}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`api-types: ${e.message}`);
      process.exit(1);
    },
  );
}
