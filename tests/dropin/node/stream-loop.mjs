// The stream loops of openai-node's README: choices[0] on every chunk.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });

const stream = await client.chat.completions.create({
  model: 'anthropic/claude-opus-4-5',
  messages: [{ role: 'user', content: 'Say this is a test' }],
  stream: true,
});
let text = '';
let chunks = 0;
for await (const chunk of stream) {
  text += chunk.choices[0].delta.content || '';
  chunks += 1;
  if (chunk.choices[0].finish_reason) console.log('finish:', chunk.choices[0].finish_reason);
}
console.log(JSON.stringify(text), chunks);

const withUsage = await client.chat.completions.create({
  model: 'm',
  messages: [{ role: 'user', content: 'usage please' }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of withUsage) {
  if (chunk.usage) console.log('usage:', chunk.choices.length, JSON.stringify(chunk.usage));
}
