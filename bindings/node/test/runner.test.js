'use strict';
// The tool runner's JavaScript side against the mock: the events in openai-node's order, the
// final results, non-string results, toolContext, the runner passed to callbacks, abort by
// signal while a tool runs. The conversation rules themselves are the core's, pinned for every
// language by scenarios 230-238.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, stopMock, session, script, requests } = require('./helpers');
const OpenAI = require('..');
const { APIUserAbortError, ChatCompletionRunner, ChatCompletionStreamingRunner } = OpenAI;

let mock;
before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function client(sid) {
  return new OpenAI({ apiKey: 'sk-test-runner-key', baseURL: mock.baseURL, defaultHeaders: { 'x-mock-session': sid }, maxRetries: 0 });
}

const user = [{ role: 'user', content: 'What is the weather?' }];

test('the events come in openai-node order and the finals agree', async () => {
  const sid = session('runner');
  await script(sid, [{ tool_calls: [{ name: 'getWeather', arguments: '{"city":"Paris"}' }, { name: 'getTime', arguments: '' }] }, {}]);
  function getTime() {
    return 1700000000; // a number: sent as its JSON text
  }
  const runner = client(sid).chat.completions.runTools({
    model: 'openai/gpt-4.1',
    messages: user,
    tools: [
      {
        type: 'function',
        function: {
          name: 'getWeather',
          description: 'Weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          parse: JSON.parse,
          function: (args, r, ctx) => {
            assert.equal(r, runner, 'the runner is passed to the callback');
            return { city: args.city, sky: ctx.sky };
          },
        },
      },
      // No name: the callback's own name, as openai-node.
      { type: 'function', function: { description: 'The time', parameters: { type: 'object', properties: {} }, function: getTime } },
    ],
    toolContext: { sky: 'clear' },
  });
  assert.ok(runner instanceof ChatCompletionRunner);
  const events = [];
  for (const name of ['connect', 'chatCompletion', 'message', 'functionToolCall', 'functionToolCallResult', 'content', 'finalChatCompletion', 'finalMessage', 'finalContent', 'finalFunctionToolCall', 'finalFunctionToolCallResult', 'totalUsage', 'end']) {
    runner.on(name, (arg) => events.push(name === 'message' ? `message:${arg.role}` : name));
  }
  const content = await runner.finalContent();
  assert.equal(content, 'Hello from routerkit-mock! Tool results: {"city":"Paris","sky":"clear"} | 1700000000');
  assert.deepEqual(events, [
    'connect',
    'chatCompletion',
    'message:assistant',
    'functionToolCall',
    'functionToolCall',
    'message:tool',
    'functionToolCallResult',
    'message:tool',
    'functionToolCallResult',
    'connect',
    'chatCompletion',
    'message:assistant',
    'content',
    'finalChatCompletion',
    'finalMessage',
    'finalContent',
    'finalFunctionToolCall',
    'finalFunctionToolCallResult',
    'totalUsage',
    'end',
  ]);
  assert.equal(runner.allChatCompletions().length, 2);
  // As openai-node's parseChatCompletion: `parsed_arguments` (null: the tool is not strict).
  assert.deepEqual(await runner.finalFunctionToolCall(), { arguments: '', name: 'getTime', parsed_arguments: null });
  assert.equal(await runner.finalFunctionToolCallResult(), '1700000000');
  assert.deepEqual(
    runner.messages.map((m) => m.role),
    ['user', 'assistant', 'tool', 'tool', 'assistant'],
  );
  const usage = await runner.totalUsage();
  const sum = runner.allChatCompletions().reduce((n, c) => n + c.usage.total_tokens, 0);
  assert.equal(usage.total_tokens, sum);
  const log = await requests(sid);
  assert.deepEqual(log[0].body.tools[1].function.name, 'getTime');
  assert.equal(log[0].body.stream, false, 'rounds are sent with stream: false, as openai-node does');
});

test('undefined is sent as "undefined"; a missing tool call id is generated and replayed', async () => {
  const sid = session('runner');
  await script(sid, [{ tool_calls: [{ id: '', name: 'noop', arguments: '{}' }] }, {}]);
  const runner = client(sid).chat.completions.runTools({
    model: 'm',
    messages: user,
    tools: [{ type: 'function', function: { name: 'noop', description: '', parameters: {}, function: () => undefined } }],
  });
  await runner.done();
  const [, assistant, tool] = runner.messages;
  assert.match(assistant.tool_calls[0].id, /^call_/);
  assert.equal(tool.tool_call_id, assistant.tool_calls[0].id);
  assert.equal(tool.content, 'undefined');
  const log = await requests(sid);
  assert.equal(log[1].body.messages[2].tool_call_id, assistant.tool_calls[0].id);
});

test('an abort signal while a tool runs ends the run with APIUserAbortError and an abort event', async () => {
  const sid = session('runner');
  await script(sid, [{ tool_calls: [{ name: 'slow', arguments: '{}' }] }, {}]);
  const controller = new AbortController();
  const runner = client(sid).chat.completions.runTools(
    {
      model: 'm',
      messages: user,
      tools: [
        {
          type: 'function',
          function: {
            name: 'slow',
            description: '',
            parameters: {},
            function: async () => {
              controller.abort();
              return 'late';
            },
          },
        },
      ],
    },
    { signal: controller.signal },
  );
  let aborted = null;
  runner.on('abort', (e) => (aborted = e));
  await assert.rejects(runner.done(), APIUserAbortError);
  assert.ok(aborted instanceof APIUserAbortError);
  assert.equal(runner.aborted, true);
  assert.equal((await requests(sid)).length, 1, 'nothing is sent after the abort');
});

test('maxChatCompletions is a request option; the streaming runner iterates every round', async () => {
  const sid = session('runner');
  await script(sid, [{ stream: { tool_calls: [{ name: 'echo', arguments: 'a' }] } }, { stream: { tool_calls: [{ name: 'echo', arguments: 'b' }] } }, {}]);
  const runner = client(sid).chat.completions.runTools(
    {
      model: 'm',
      messages: user,
      stream: true,
      tools: [{ type: 'function', function: { name: 'echo', description: '', parameters: {}, function: (a) => a } }],
    },
    { maxChatCompletions: 2 },
  );
  assert.ok(runner instanceof ChatCompletionStreamingRunner);
  const deltas = [];
  runner.on('tool_calls.function.arguments.delta', (e) => deltas.push(e.arguments_delta));
  let chunks = 0;
  for await (const chunk of runner) if (chunk.choices.length) chunks++;
  assert.equal(chunks, 6, 'two rounds of a call head, its one argument piece and a finish chunk');
  assert.deepEqual(deltas, ['a', 'b']);
  assert.equal(await runner.finalContent(), null);
  assert.equal(runner.allChatCompletions().length, 2);
  assert.equal((await requests(sid)).length, 2);
});

// In a child process: node:test fails any test during which a rejection goes unhandled.
const UNHEARD_CHILD = `
const OpenAI = require(process.argv[1]);
const [, , baseURL, sid, kind, hear] = process.argv;
let unhandled = 0;
process.on('unhandledRejection', () => unhandled++);
const c = new OpenAI({ apiKey: 'sk-test-runner-key', baseURL, defaultHeaders: { 'x-mock-session': sid }, maxRetries: 0 });
const messages = [{ role: 'user', content: 'hi' }];
const tools = [{ type: 'function', function: { name: 'f', function: () => 'x', parameters: { type: 'object', properties: {} } } }];
const helper = kind === 'stream' ? c.chat.completions.stream({ model: 'm', messages }) : c.chat.completions.runTools({ model: 'm', messages, tools });
if (hear === 'listener') helper.on('error', () => {});
if (hear === 'await') helper.done().catch(() => {});
setTimeout(() => console.log(unhandled), 300);
`;

test('an error nobody hears is an unhandled rejection; a listener or an await hears it (stream helper and runner)', async () => {
  const { execFileSync } = require('node:child_process');
  const sid = session('unheard');
  for (const kind of ['stream', 'runner']) {
    for (const [hear, expected] of [['none', '1'], ['listener', '0'], ['await', '0']]) {
      await script(sid, [{ status: 400, body: { error: { message: 'bad' } } }]);
      const out = execFileSync(process.execPath, ['-e', UNHEARD_CHILD, require.resolve('..'), mock.baseURL, sid, kind, hear], { encoding: 'utf8' });
      assert.equal(out.trim(), expected, `${kind}, heard by ${hear}`);
    }
  }
});
