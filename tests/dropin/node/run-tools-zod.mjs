// The tool runner with zod tools: `zodFunction({ name, parameters, function })` from
// openai/helpers/zod handed to `chat.completions.runTools`, its arguments parsed by the zod
// schema before the function sees them, a mismatch sent back to the model as the tool's result,
// and the strict schema the gateway received.
import OpenAI from 'openai';
import { zodFunction } from 'openai/helpers/zod';
import { z } from 'zod';

const { MOCK_URL, MOCK_SESSION } = process.env;
const client = new OpenAI({ defaultHeaders: { 'x-mock-session': MOCK_SESSION } });
const scriptNext = async (steps) => {
  const r = await fetch(`${MOCK_URL}/__mock/sessions/${MOCK_SESSION}/script`, { method: 'POST', body: JSON.stringify(steps) });
  if (!r.ok) throw new Error(`script: ${r.status}`);
};
const requestLog = async () => (await fetch(`${MOCK_URL}/__mock/sessions/${MOCK_SESSION}/requests`)).json();

const seen = [];
const tools = [
  zodFunction({
    name: 'get_weather',
    description: 'The weather in a city for some days',
    parameters: z.object({ city: z.string(), days: z.number().int() }),
    function: (args) => {
      seen.push(args);
      return { city: args.city, days: args.days, sky: 'sunny' };
    },
  }),
];
const messages = [{ role: 'user', content: 'Weather in Paris for 3 days?' }];

await scriptNext([{ tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris","days":3}' }] }, {}]);
const runner = client.chat.completions
  .runTools({ model: 'openai/gpt-4.1', messages, tools })
  .on('functionToolCallResult', (r) => console.log('result', r));
console.log('final', await runner.finalContent());
console.log('the function got', JSON.stringify(seen), 'typeof days', typeof seen[0].days);
const log = await requestLog();
const tool = log[log.length - 1].body.tools[0];
console.log('sent', tool.type, tool.function.name, tool.function.strict, JSON.stringify(tool.function.parameters));
console.log('replayed', log[log.length - 1].body.messages.map((m) => m.role).join(','));

// Arguments that do not satisfy the schema: the function is not called, the model is told.
seen.length = 0;
await scriptNext([{ tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris","days":"three"}' }] }, {}]);
const rejected = client.chat.completions.runTools({ model: 'openai/gpt-4.1', messages, tools });
await rejected.done();
const result = rejected.messages.find((m) => m.role === 'tool');
console.log('mismatch: function called', seen.length, 'a result sent back', typeof result.content, result.content.length > 0);
