// A tool-calling round trip: the model asks for a tool, the program answers, the model replies.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const messages = [{ role: 'user', content: 'weather in Paris?' }];

const call = { stream: { tool_calls: [{ id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' }] } };
const first = await client.chat.completions.create({ model: 'm', messages, tools, stream: true }, { headers: { 'x-mock-step': JSON.stringify(call) } });
const calls = [];
for await (const chunk of first) {
  for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
    calls[tc.index] ??= { id: tc.id, name: tc.function?.name, arguments: '' };
    calls[tc.index].arguments += tc.function?.arguments ?? '';
  }
}
console.log(JSON.stringify(calls));
messages.push({ role: 'assistant', content: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) });
messages.push({ role: 'tool', tool_call_id: calls[0].id, content: 'sunny' });
const second = await client.chat.completions.create({ model: 'm', messages, tools });
console.log(second.choices[0].message.content);
const log = await (await fetch(`${process.env.MOCK_URL}/__mock/sessions/${process.env.MOCK_SESSION}/requests`)).json();
console.log(log[1].body.messages.map((m) => m.role).join(','), JSON.stringify(log[1].body.tools[0].function.parameters));
