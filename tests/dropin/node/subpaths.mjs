// The import paths openai-node's users reach for: resources, streaming, error.
import OpenAI from 'openai';
import { Completions } from 'openai/resources/chat/completions';
import { Chat, Embeddings, Models } from 'openai/resources/index';
import * as resources from 'openai/resources';
import { Stream } from 'openai/streaming';
import { APIError, NotFoundError, OpenAIError } from 'openai/error';
import { Completions as LegacyCompletions } from 'openai/resources/completions';
import { Moderations } from 'openai/resources/moderations';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });

console.log(client.chat instanceof Chat, client.chat.completions instanceof Completions);
console.log(client.embeddings instanceof Embeddings, client.models instanceof Models, resources.Chat === Chat);
console.log(client.completions instanceof LegacyCompletions, client.moderations instanceof Moderations, resources.Completions === LegacyCompletions);
const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 's' }], stream: true });
console.log(stream instanceof Stream);
for await (const _ of stream);
try {
  await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-step': '{"status":404}' } });
} catch (err) {
  console.log(err instanceof NotFoundError, err instanceof APIError, err instanceof OpenAIError, err instanceof OpenAI.NotFoundError, err.status);
}
