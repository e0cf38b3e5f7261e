// openai-node's examples/chat-completions/tool-call-helpers.ts, as a new user would port it to JS:
// stream: true, functions with parse: JSON.parse, the message/functionToolCall/functionToolCallResult/
// content events, finalChatCompletion() and runner.messages. The mock is scripted to call list, then get.
import OpenAI from 'openai';

const { MOCK_URL, MOCK_SESSION } = process.env;
await fetch(`${MOCK_URL}/__mock/sessions/${MOCK_SESSION}/script`, {
  method: 'POST',
  body: JSON.stringify([
    { stream: { tool_calls: [{ name: 'list', arguments: '{"genre":"historical"}' }] } },
    { stream: { tool_calls: [{ name: 'get', arguments: '{"id":"a2"}' }] } },
    { stream: { content: 'Read All the Light We Cannot See.' } },
  ]),
});
const openai = new OpenAI({ defaultHeaders: { 'x-mock-session': MOCK_SESSION } });
const db = [
  { id: 'a1', name: 'To Kill a Mockingbird', genre: 'historical' },
  { id: 'a2', name: 'All the Light We Cannot See', genre: 'historical' },
];
async function list({ genre }) { return db.filter((b) => b.genre === genre).map((b) => ({ name: b.name, id: b.id })); }
async function get({ id }) { return db.find((b) => b.id === id); }
const tools = [
  { type: 'function', function: { name: 'list', description: 'books by genre', parameters: { type: 'object', properties: { genre: { type: 'string' } } }, function: list, parse: JSON.parse } },
  { type: 'function', function: { name: 'get', description: 'a book by id', parameters: { type: 'object', properties: { id: { type: 'string' } } }, function: get, parse: JSON.parse } },
];
let content = '';
const runner = openai.chat.completions
  .runTools({ model: 'gpt-4-1106-preview', stream: true, tools, messages: [{ role: 'system', content: 'Use the book database.' }, { role: 'user', content: 'Recommend a book like To Kill a Mockingbird.' }] })
  .on('message', (msg) => console.log('msg', msg.role, msg.tool_calls?.map((c) => c.function.name).join(',') ?? '', typeof msg.content))
  .on('functionToolCall', (f) => console.log('functionCall', f.name, f.arguments))
  .on('functionToolCallResult', (r) => console.log('functionCallResult', r))
  .on('content', (diff) => { content += diff; });
const result = await runner.finalChatCompletion();
console.log('content', content);
console.log('final', result.choices[0].message.role, result.choices[0].message.content, result.choices[0].finish_reason);
console.log('messages', runner.messages.map((m) => m.role).join(','));
console.log('tool results', JSON.stringify(runner.messages.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id != null, m.content])));
