// The tool runner (openai-node's `chat.completions.runTools`): functions with and without
// `parse`, two calls in one round, a parse error and an unknown tool sent back to the model,
// the streaming runner, `maxChatCompletions`, and the events and final results.
import OpenAI from 'openai';

const { MOCK_URL, MOCK_SESSION } = process.env;
const client = new OpenAI({ defaultHeaders: { 'x-mock-session': MOCK_SESSION } });
const scriptNext = async (steps) => {
  const r = await fetch(`${MOCK_URL}/__mock/sessions/${MOCK_SESSION}/script`, { method: 'POST', body: JSON.stringify(steps) });
  if (!r.ok) throw new Error(`script: ${r.status}`);
};
const requestLog = async () => (await fetch(`${MOCK_URL}/__mock/sessions/${MOCK_SESSION}/requests`)).json();

async function getWeather(args) {
  return { city: args.city, sky: 'sunny' };
}
function getTime() {
  return 'noon';
}
const tools = [
  {
    type: 'function',
    function: {
      function: getWeather,
      parse: JSON.parse,
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  { type: 'function', function: { function: getTime, description: 'The time', parameters: { type: 'object', properties: {} } } },
];
const messages = [{ role: 'user', content: 'Weather and time in Paris?' }];

// Two calls in one round, then the answer.
await scriptNext([{ tool_calls: [{ name: 'getWeather', arguments: '{"city":"Paris"}' }, { name: 'getTime', arguments: '{}' }] }, {}]);
const runner = client.chat.completions
  .runTools({ model: 'openai/gpt-4.1', messages, tools })
  .on('functionToolCall', (f) => console.log('call', f.name, f.arguments))
  .on('functionToolCallResult', (r) => console.log('result', r))
  .on('content', (c) => console.log('content', c));
console.log('final', await runner.finalContent());
console.log('completions', runner.allChatCompletions().length, 'roles', runner.messages.map((m) => m.role).join(','));
console.log('usage', JSON.stringify(await runner.totalUsage()));
console.log('last call', JSON.stringify(await runner.finalFunctionToolCall()), 'last result', await runner.finalFunctionToolCallResult());
let log = await requestLog();
const sent = log[log.length - 1].body;
console.log('sent', Object.keys(sent).join(','), sent.tool_choice, sent.tools.map((t) => t.function.name).join(','));
console.log('replayed', JSON.stringify(sent.messages.slice(1).map((m) => ({ role: m.role, content: m.content, calls: m.tool_calls?.length }))));

// A parse error and an unknown tool go back to the model as tool results.
await scriptNext([{ tool_calls: [{ name: 'getWeather', arguments: 'not json' }, { name: 'getNews', arguments: '{}' }] }, {}]);
const recovered = client.chat.completions.runTools({ model: 'openai/gpt-4.1', messages, tools });
await recovered.done();
const results = recovered.messages.filter((m) => m.role === 'tool').map((m) => m.content);
console.log('parse error reported', results[0].length > 0, 'unknown tool:', results[1]);

// The streaming runner: every round's chunks, then the final content; maxChatCompletions ends the run.
await scriptNext([{ stream: { tool_calls: [{ name: 'getTime', arguments: '{}' }] } }, { stream: { tool_calls: [{ name: 'getTime', arguments: '{}' }] } }, {}]);
const streaming = client.chat.completions.runTools({ model: 'openai/gpt-4.1', messages, tools, stream: true }, { maxChatCompletions: 2 });
let chunks = 0;
for await (const chunk of streaming) chunks += chunk.choices.length;
console.log('streamed chunks', chunks, 'final', await streaming.finalContent(), 'completions', streaming.allChatCompletions().length);
log = await requestLog();
console.log('requests', log.length, 'streamed', log.slice(-2).map((r) => r.body.stream).join(','));
