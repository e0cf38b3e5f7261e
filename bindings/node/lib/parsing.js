'use strict';
// Structured outputs as openai-node has them: `chat.completions.parse` and `responses.parse`.
// The checks are the core's (the `chat.parse` / `responses.parse` operations: finish reasons,
// refusals, the content parsed as JSON and checked against the schema sent, `parsed` added to
// the answer). Here only the caller's own parser runs: a format or tool made by
// `routerkit/helpers/zod` carries `$parseRaw` (zod's `parse`), which turns the text into the
// caller's type; for a plain `json_schema` format the core's `parsed` value is kept.

function isAutoParseableFormat(format) {
  return format?.$brand === 'auto-parseable-response-format';
}

function isAutoParseableTool(tool) {
  return tool?.$brand === 'auto-parseable-tool';
}

/** A parse helper's own parser over `text`, or the core's value. */
function reparse(parser, text, coreValue) {
  if (typeof parser !== 'function' || text === null || text === undefined) return coreValue ?? null;
  return parser(text);
}

/** `chat.completions.parse`: the core's answer with each `parsed` in the caller's type. */
function finishChat(completion, body) {
  const format = body?.response_format;
  const tools = body?.tools ?? [];
  for (const choice of completion?.choices ?? []) {
    const message = choice?.message;
    if (!message) continue;
    if (isAutoParseableFormat(format) && message.parsed !== null && message.parsed !== undefined) {
      message.parsed = reparse(format.$parseRaw, message.content, message.parsed);
    } else if (message.parsed === undefined) {
      message.parsed = null;
    }
    for (const call of message.tool_calls ?? []) {
      if (call?.type !== 'function' || !call.function) continue;
      const tool = tools.find((t) => t?.function?.name === call.function.name);
      if (isAutoParseableTool(tool)) call.function.parsed_arguments = tool.$parseRaw(call.function.arguments);
      else if (call.function.parsed_arguments === undefined) call.function.parsed_arguments = null;
    }
  }
  return completion;
}

/** `responses.parse`: `output_parsed` (and each part's `parsed`) in the caller's type. */
function finishResponse(response, body) {
  const format = body?.text?.format;
  const tools = body?.tools ?? [];
  let first = null;
  for (const item of response?.output ?? []) {
    if (item?.type === 'message') {
      for (const part of item.content ?? []) {
        if (part?.type !== 'output_text') continue;
        if (isAutoParseableFormat(format) && part.parsed !== null && part.parsed !== undefined) {
          part.parsed = reparse(format.$parseRaw, part.text, part.parsed);
        }
        if (part.parsed === undefined) part.parsed = null;
        if (first === null && part.parsed !== null) first = part.parsed;
      }
    } else if (item?.type === 'function_call') {
      const tool = tools.find((t) => t?.type === 'function' && t.name === item.name);
      if (isAutoParseableTool(tool)) item.parsed_arguments = tool.$parseRaw(item.arguments);
      else if (item.parsed_arguments === undefined) item.parsed_arguments = null;
    }
  }
  if (response && typeof response === 'object') response.output_parsed = first;
  return response;
}

/**
 * openai-node's `makeParseableResponseFormat` / `makeParseableTextFormat` / `makeParseableTool`:
 * the object as sent, with its parser on non-enumerable properties (not serialised).
 */
function makeParseable(obj, brand, parser, callback) {
  Object.defineProperties(obj, {
    $brand: { value: brand, enumerable: false },
    $parseRaw: { value: parser, enumerable: false },
  });
  if (callback !== undefined || brand === 'auto-parseable-tool') {
    Object.defineProperty(obj, '$callback', { value: callback, enumerable: false });
  }
  return obj;
}

/**
 * The stream helper's structured outputs: whether `stream(body)` is a parse (a JSON response
 * format, or strict tools, and every tool a strict function: the core's check refuses others),
 * and the parsers of its done events and final completion.
 */
function streamParsing(body) {
  const format = body?.response_format;
  const tools = body?.tools ?? [];
  const strict = tools.filter((t) => t?.type === 'function' && t.function?.strict === true);
  const json = format?.type === 'json_schema' || format?.type === 'json_object';
  if (strict.length !== tools.length || !(json || strict.length > 0)) return null;
  const content = (text) => {
    if (!json || !text) return null;
    return isAutoParseableFormat(format) ? format.$parseRaw(text) : JSON.parse(text);
  };
  const args = (name, text) => {
    const tool = strict.find((t) => t.function.name === name);
    if (!tool || !text) return null;
    return isAutoParseableTool(tool) ? tool.$parseRaw(text) : JSON.parse(text);
  };
  const final = (completion) => {
    for (const choice of completion?.choices ?? []) {
      const message = choice?.message;
      if (!message) continue;
      message.parsed = message.refusal ? null : content(message.content);
      for (const call of message.tool_calls ?? []) {
        if (call?.type === 'function' && call.function) call.function.parsed_arguments = args(call.function.name, call.function.arguments);
      }
    }
    return completion;
  };
  return { content, args, final };
}

/**
 * The Responses stream helper's structured outputs: whether `responses.stream(body)` is a parse (a
 * JSON `text.format`, from `zodTextFormat` or given, or strict function tools; other tools are
 * sent and left unparsed, as the peers do), and the parser of its final response.
 */
function responseStreamParsing(body) {
  const format = body?.text?.format;
  const strict = (body?.tools ?? []).filter((t) => t?.type === 'function' && t.strict === true);
  const json = format?.type === 'json_schema' || format?.type === 'json_object';
  if (!json && strict.length === 0) return null;
  const text = (t) => {
    if (!json || !t) return null;
    return isAutoParseableFormat(format) ? format.$parseRaw(t) : JSON.parse(t);
  };
  const args = (name, t) => {
    const tool = strict.find((x) => x.name === name);
    if (!tool || !t) return null;
    return isAutoParseableTool(tool) ? tool.$parseRaw(t) : JSON.parse(t);
  };
  const final = (response) => {
    let first = null;
    for (const item of response?.output ?? []) {
      if (item?.type === 'message') {
        for (const part of item.content ?? []) {
          if (part?.type !== 'output_text') continue;
          part.parsed = text(part.text);
          if (first === null && part.parsed !== null) first = part.parsed;
        }
      } else if (item?.type === 'function_call') {
        item.parsed_arguments = args(item.name, item.arguments);
      }
    }
    if (response && typeof response === 'object') response.output_parsed = first;
    return response;
  };
  return { final };
}

module.exports = {
  streamParsing,
  responseStreamParsing,
  finishChat,
  finishResponse,
  makeParseable,
  isAutoParseableFormat,
  isAutoParseableTool,
};
