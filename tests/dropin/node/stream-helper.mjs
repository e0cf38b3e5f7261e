// The stream helper: events, final completion, tool-call argument events.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });

const runner = client.chat.completions
  .stream({ model: 'm', messages: [{ role: 'user', content: 'stream with events' }] })
  .on('content', (delta, snapshot) => console.log('content:', JSON.stringify(delta), JSON.stringify(snapshot)))
  .on('connect', () => console.log('connect'));
const final = await runner.finalChatCompletion();
console.log(final.choices[0].message.content, final.choices[0].finish_reason);
console.log(await runner.finalContent());

const tools = client.chat.completions.stream(
  {
    model: 'm',
    messages: [{ role: 'user', content: 'weather?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  },
  { headers: { 'x-mock-step': JSON.stringify({ stream: { tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } }) } },
);
tools.on('tool_calls.function.arguments.done', (e) => console.log('tool done:', e.name, e.index, e.arguments));
const message = await tools.finalMessage();
console.log(message.tool_calls[0].id, message.tool_calls[0].function.name, message.tool_calls[0].function.arguments);
for await (const chunk of client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'iterate me' }] })) {
  if (chunk.choices[0]?.delta?.content) console.log('chunk:', JSON.stringify(chunk.choices[0].delta.content));
}
