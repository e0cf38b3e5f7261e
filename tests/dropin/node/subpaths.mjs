// The import paths openai-node's users reach for: resources, streaming, error, the tool runner's lib.
import OpenAI from 'openai';
import { Completions } from 'openai/resources/chat/completions';
import { Chat, Embeddings, Models } from 'openai/resources/index';
import * as resources from 'openai/resources';
import { Stream } from 'openai/streaming';
import { APIError, NotFoundError, OpenAIError } from 'openai/error';
import { Completions as LegacyCompletions } from 'openai/resources/completions';
import { Moderations } from 'openai/resources/moderations';
import { Responses } from 'openai/resources/responses/responses';
import { Responses as ResponsesIndex } from 'openai/resources/responses';
import { ParsingToolFunction } from 'openai/lib/RunnableFunction';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });

console.log(client.chat instanceof Chat, client.chat.completions instanceof Completions);
console.log(client.embeddings instanceof Embeddings, client.models instanceof Models, resources.Chat === Chat);
console.log(client.completions instanceof LegacyCompletions, client.moderations instanceof Moderations, resources.Completions === LegacyCompletions);
console.log(client.responses instanceof Responses, ResponsesIndex === Responses);
const tool = new ParsingToolFunction({ name: 'add', description: 'Adds', parameters: { type: 'object' }, parse: JSON.parse, function: (a) => a });
console.log(tool.type, tool.function.name);
const answer = await client.responses.create({ model: 'openai/gpt-4.1', input: 'Name three prime numbers.' });
console.log(answer.object, answer.output_text);
const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 's' }], stream: true });
console.log(stream instanceof Stream);
for await (const _ of stream);
try {
  await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-step': '{"status":404}' } });
} catch (err) {
  console.log(err instanceof NotFoundError, err instanceof APIError, err instanceof OpenAIError, err instanceof OpenAI.NotFoundError, err.status);
}
