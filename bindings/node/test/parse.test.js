'use strict';
// Structured outputs with zod, as openai-node code writes them: `zodResponseFormat` /
// `zodFunction` / `zodTextFormat` from `routerkit/helpers/zod`, the strict schema sent,
// `parsed` as zod's output, the peers' error classes. The language-neutral checks (JSON,
// schema, finish reasons, refusal) are conformance scenarios 210-221.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { z } = require('zod');
const { startMock, stopMock, session, script, requests } = require('./helpers');
const OpenAI = require('..');
const { zodResponseFormat, zodFunction, zodTextFormat } = require('routerkit/helpers/zod');

let mock;
before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function client(sid) {
  return new OpenAI({ apiKey: 'sk-test-parse-0123456789', baseURL: mock.baseURL, initialRetryDelay: 1, maxRetryDelay: 5, defaultHeaders: { 'x-mock-session': sid } });
}

const Step = z.object({ explanation: z.string(), output: z.string() });
const MathReasoning = z.object({ steps: z.array(Step), final_answer: z.string(), note: z.string().nullable() });
const ANSWER = { steps: [{ explanation: 'Subtract 31.', output: '8x = -29' }], final_answer: 'x = -29/8', note: null };
const MSG = [{ role: 'user', content: 'solve 8x + 31 = 2' }];

function completion(message, finish = 'stop') {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  };
}

test('zodResponseFormat sends a strict schema and parse gives the zod output', async () => {
  const sid = session();
  await script(sid, [{ body: completion({ content: JSON.stringify(ANSWER) }) }]);
  const format = zodResponseFormat(MathReasoning, 'math_reasoning');
  const r = await client(sid).chat.completions.parse({ model: 'm', messages: MSG, response_format: format });
  assert.deepEqual(r.choices[0].message.parsed, ANSWER);
  const sent = (await requests(sid))[0].body.response_format;
  assert.equal(sent.type, 'json_schema');
  assert.equal(sent.json_schema.name, 'math_reasoning');
  assert.equal(sent.json_schema.strict, true);
  assert.equal(sent.json_schema.schema.additionalProperties, false);
  assert.deepEqual(sent.json_schema.schema.required, ['steps', 'final_answer', 'note']);
  assert.equal(sent.json_schema.schema.properties.steps.items.additionalProperties, false);
  assert.ok(!('$brand' in sent) && !('$parseRaw' in sent));
});

test('an optional field that is not nullable is refused, as openai-node does', () => {
  assert.throws(() => zodResponseFormat(z.object({ a: z.string().optional() }), 'x'), /uses `.optional\(\)` without `.nullable\(\)`/);
});

test('what only zod rejects (a refinement) throws its ZodError; a schema mismatch is the core error', async () => {
  const sid = session();
  await script(sid, [{ body: completion({ content: '{"n": -1}' }) }, { body: completion({ content: '{"n": "x"}' }) }]);
  const Positive = z.object({ n: z.number().refine((n) => n > 0) });
  const format = zodResponseFormat(Positive, 'positive');
  await assert.rejects(client(sid).chat.completions.parse({ model: 'm', messages: MSG, response_format: format }), (e) => e instanceof z.ZodError);
  await assert.rejects(client(sid).chat.completions.parse({ model: 'm', messages: MSG, response_format: format }), (e) => {
    assert.ok(e instanceof OpenAI.OutputValidationError && !(e instanceof OpenAI.APIError), e.constructor.name);
    assert.equal(e.code, 'schema_mismatch');
    assert.equal(e.param, '/n');
    return true;
  });
});

test('finish reasons are the peers error classes; beta.chat.completions.parse is the same method', async () => {
  const sid = session();
  await script(sid, [{ body: completion({ content: '{"st' }, 'length') }, { body: completion({ content: null }, 'content_filter') }]);
  const format = zodResponseFormat(MathReasoning, 'math_reasoning');
  await assert.rejects(client(sid).beta.chat.completions.parse({ model: 'm', messages: MSG, response_format: format }), (e) => {
    assert.ok(e instanceof OpenAI.LengthFinishReasonError && e instanceof OpenAI.OpenAIError);
    assert.equal(e.attempts, 1);
    return true;
  });
  await assert.rejects(client(sid).chat.completions.parse({ model: 'm', messages: MSG, response_format: format }), OpenAI.ContentFilterFinishReasonError);
});

test('zodFunction calls come back with parsed_arguments', async () => {
  const sid = session();
  const call = { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":3}' } };
  await script(sid, [{ body: completion({ content: null, tool_calls: [call] }, 'tool_calls') }]);
  const tool = zodFunction({ name: 'get_weather', parameters: z.object({ city: z.string(), days: z.number().int() }), description: 'Weather' });
  const r = await client(sid).chat.completions.parse({ model: 'm', messages: MSG, tools: [tool] });
  assert.deepEqual(r.choices[0].message.tool_calls[0].function.parsed_arguments, { city: 'Paris', days: 3 });
  assert.equal(r.choices[0].message.parsed, null);
  const sent = (await requests(sid))[0].body.tools[0].function;
  assert.equal(sent.strict, true);
  assert.equal(sent.parameters.additionalProperties, false);
});

test('responses.parse with zodTextFormat gives output_parsed', async () => {
  const sid = session();
  const body = {
    id: 'resp_1',
    object: 'response',
    status: 'completed',
    model: 'm',
    output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: JSON.stringify(ANSWER), annotations: [] }] }],
  };
  await script(sid, [{ body }]);
  const r = await client(sid).responses.parse({ model: 'm', input: 'solve', text: { format: zodTextFormat(MathReasoning, 'math_reasoning') } });
  assert.deepEqual(r.output_parsed, ANSWER);
  assert.equal(r.output_text, JSON.stringify(ANSWER));
  const fmt = (await requests(sid))[0].body.text.format;
  assert.equal(fmt.name, 'math_reasoning');
  assert.equal(fmt.strict, true);
  assert.equal(fmt.schema.additionalProperties, false);
});

test('the stream helper with zodResponseFormat: content.done and finalChatCompletion carry parsed; length is the peers error', async () => {
  const sid = session();
  const text = JSON.stringify(ANSWER);
  await script(sid, [{ stream: { content: text, pieces: 3 } }, { stream: { content: text.slice(0, 10), finish_reason: 'length' } }]);
  const format = zodResponseFormat(MathReasoning, 'math_reasoning');
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG, response_format: format });
  let done;
  stream.on('content.done', (e) => {
    done = e.parsed;
  });
  const final = await stream.finalChatCompletion();
  assert.deepEqual(done, ANSWER);
  assert.deepEqual(final.choices[0].message.parsed, ANSWER);
  const cut = client(sid).chat.completions.stream({ model: 'm', messages: MSG, response_format: format });
  await assert.rejects(cut.finalChatCompletion(), OpenAI.LengthFinishReasonError);
});

test('responses.stream with zodTextFormat: finalResponse().output_parsed is the zod output; a mismatch is OutputValidationError', async () => {
  const sid = session();
  const text = JSON.stringify(ANSWER);
  await script(sid, [{ stream: { content: text, pieces: 3 } }, { stream: { content: JSON.stringify({ ...ANSWER, final_answer: 7 }), pieces: 2 } }]);
  const format = zodTextFormat(MathReasoning, 'math_reasoning');
  const stream = client(sid).responses.stream({ model: 'm', input: 'solve', text: { format } });
  const types = [];
  stream.on('event', (e) => {
    types.push(e.type);
    // Mid-stream the text is a part of the JSON: the snapshot is not parsed.
    if (stream.currentResponseSnapshot()?.output_parsed !== undefined) throw new Error('a parsed snapshot');
  });
  const final = await stream.finalResponse();
  assert.deepEqual(final.output_parsed, ANSWER);
  assert.deepEqual(final.output[0].content[0].parsed, ANSWER);
  assert.ok(types.includes('response.output_text.done') && types.at(-1) === 'response.completed', types.join());
  assert.equal((await requests(sid))[0].body.text.format.name, 'math_reasoning');

  const bad = client(sid).responses.stream({ model: 'm', input: 'solve', text: { format } });
  const seen = [];
  await assert.rejects(
    async () => {
      for await (const e of bad) seen.push(e.type);
    },
    (e) => e instanceof OpenAI.OutputValidationError && e.param === '/final_answer',
  );
  assert.ok(!seen.includes('response.output_text.done'), seen.join());
  await assert.rejects(bad.finalResponse(), OpenAI.OutputValidationError);
});
