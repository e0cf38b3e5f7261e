'use strict';
// `routerkit/helpers/zod`: openai-node's zod helpers (`zodResponseFormat`, `zodTextFormat`,
// `zodFunction`, `zodResponsesFunction`). A zod schema becomes the strict JSON Schema sent to the
// gateway (zod's own `toJSONSchema`, then the strict rules: every object closed with
// `additionalProperties: false`, every property required, an `.optional()` that is not also
// `.nullable()` refused), and its `parse` turns the answer into the schema's type.
//
// zod is a peer dependency (`^3.25 || ^4.0`, as openai-node 7): schemas from `zod` 4 or from
// `zod/v4` (which zod 3.25 ships) are converted; a zod 3 classic schema is refused with a message
// naming `zod/v4`, since only v4 converts itself to JSON Schema.

const { OpenAIError } = require('../errors');
const { makeParseable } = require('../parsing');

function zod4() {
  try {
    return require('zod/v4');
  } catch {
    throw new OpenAIError('routerkit/helpers/zod needs the `zod` package (^3.25 || ^4.0): npm install zod');
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function resolveRef(root, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  let node = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

function isNullable(schema, root, seen = new Set()) {
  if (!isObject(schema)) return schema === true;
  if (schema.$ref && !seen.has(schema.$ref)) {
    seen.add(schema.$ref);
    return isNullable(resolveRef(root, schema.$ref), root, seen);
  }
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true;
  if (Array.isArray(schema.anyOf)) return schema.anyOf.some((s) => isNullable(s, root, seen));
  return Array.isArray(schema.enum) && schema.enum.includes(null);
}

/** openai-node's strict rules, over the schema zod made (a copy). */
function toStrict(schema, path, root) {
  if (!isObject(schema)) throw new TypeError(`Expected an object schema; path=${path.join('/') || '<root>'}`);
  for (const key of ['$defs', 'definitions']) {
    if (isObject(schema[key])) for (const [name, def] of Object.entries(schema[key])) toStrict(def, [...path, key, name], root);
  }
  const where = path.join('/') || '<root>';
  const objectShape = schema.type === 'object' || isObject(schema.properties);
  if (objectShape) {
    if (!Object.hasOwn(schema, 'additionalProperties')) schema.additionalProperties = false;
    else if (schema.additionalProperties !== false) {
      throw new OpenAIError(
        `Object schema at \`${where}\` must set \`additionalProperties: false\` to be compatible with strict Structured Outputs.`,
      );
    }
  }
  if (isObject(schema.properties)) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const [key, value] of Object.entries(schema.properties)) {
      if (!required.includes(key) && !isNullable(value, root)) {
        throw new OpenAIError(
          `Schema field at \`${[...path, 'properties', key].join('/')}\` uses \`.optional()\` without \`.nullable()\` which is not supported by the API.`,
        );
      }
      toStrict(value, [...path, 'properties', key], root);
    }
    schema.required = Object.keys(schema.properties);
  }
  if (isObject(schema.items)) toStrict(schema.items, [...path, 'items'], root);
  for (const key of ['anyOf', 'oneOf']) {
    if (Array.isArray(schema[key])) schema[key].forEach((s, i) => isObject(s) && toStrict(s, [...path, key, String(i)], root));
  }
  if (Array.isArray(schema.allOf)) {
    if (schema.allOf.length === 1 && isObject(schema.allOf[0])) {
      const only = schema.allOf[0];
      delete schema.allOf;
      Object.assign(schema, toStrict(only, [...path, 'allOf', '0'], root));
    } else schema.allOf.forEach((s, i) => isObject(s) && toStrict(s, [...path, 'allOf', String(i)], root));
  }
  if (Object.hasOwn(schema, 'default') && schema.default === null) delete schema.default;
  return schema;
}

function jsonSchemaOf(zodObject) {
  if (!zodObject || typeof zodObject !== 'object' || !('_zod' in zodObject)) {
    throw new OpenAIError(
      'routerkit/helpers/zod converts zod v4 schemas: import { z } from "zod" (zod 4) or from "zod/v4" (zod 3.25)',
    );
  }
  const schema = structuredClone(zod4().toJSONSchema(zodObject, { target: 'draft-7' }));
  if (schema.type !== 'object') {
    throw new OpenAIError(`Root schema must have type: 'object' but got type: ${schema.type ? `'${schema.type}'` : 'undefined'}`);
  }
  return toStrict(schema, [], schema);
}

/** JSON text → the zod schema's output (zod's `parse`: a mismatch throws its `ZodError`). */
function parserOf(zodObject) {
  return (text) => {
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      if (e instanceof SyntaxError) throw new SyntaxError('Error reading response: invalid structured output JSON.');
      throw e;
    }
    return typeof zodObject.parse === 'function' ? zodObject.parse(data) : zod4().parse(zodObject, data);
  };
}

/** A chat `response_format` from a zod schema: `parse` gives `message.parsed` as its type. */
function zodResponseFormat(zodObject, name, props) {
  const { schemaDefinitions, ...rest } = props ?? {};
  void schemaDefinitions;
  const format = { type: 'json_schema', json_schema: { ...rest, name, strict: true, schema: jsonSchemaOf(zodObject) } };
  return makeParseable(format, 'auto-parseable-response-format', parserOf(zodObject));
}

/** A Responses API `text.format` from a zod schema: `responses.parse` gives `output_parsed`. */
function zodTextFormat(zodObject, name, props) {
  const format = { type: 'json_schema', ...props, name, strict: true, schema: jsonSchemaOf(zodObject) };
  return makeParseable(format, 'auto-parseable-response-format', parserOf(zodObject));
}

/** A strict chat function tool from a zod schema: its calls get `parsed_arguments`. */
function zodFunction(options) {
  const tool = {
    type: 'function',
    function: {
      name: options.name,
      parameters: jsonSchemaOf(options.parameters),
      strict: true,
      ...(options.description ? { description: options.description } : undefined),
    },
  };
  return makeParseable(tool, 'auto-parseable-tool', parserOf(options.parameters), options.function);
}

/** A strict Responses API function tool from a zod schema: its calls get `parsed_arguments`. */
function zodResponsesFunction(options) {
  const tool = {
    type: 'function',
    name: options.name,
    parameters: jsonSchemaOf(options.parameters),
    strict: true,
    ...(options.description ? { description: options.description } : undefined),
  };
  return makeParseable(tool, 'auto-parseable-tool', parserOf(options.parameters), options.function);
}

module.exports = { zodResponseFormat, zodTextFormat, zodFunction, zodResponsesFunction };
