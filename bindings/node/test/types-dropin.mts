// Compiled by `tsc --noEmit` (not run): the import paths and namespace types code written for
// openai-node uses (subpath exports, `OpenAI.Chat.Completions.*`), and the fetch `Response`.
import OpenAI from 'routerkit';
import { Completions, type ChatCompletionMessageParam, type ChatCompletionTool } from 'routerkit/resources/chat/completions';
import { Chat, Embeddings, Models, type Model } from 'routerkit/resources/index';
import { Stream } from 'routerkit/streaming';
import { APIError, RateLimitError } from 'routerkit/error';

export async function dropin(client: OpenAI): Promise<void> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
  const same: ChatCompletionMessageParam[] = messages;
  const user: OpenAI.Chat.ChatCompletionUserMessageParam = { role: 'user', content: 'x' };
  const tool: ChatCompletionTool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };
  const completion: OpenAI.Chat.ChatCompletion = await client.chat.completions.create({ model: 'm', messages: same, tools: [tool] });
  const top: OpenAI.ChatCompletion = completion;
  const chunkType: OpenAI.Chat.Completions.ChatCompletionChunk | undefined = undefined;
  const usage: OpenAI.CompletionUsage | undefined = top.usage;
  const model: OpenAI.Models.Model | Model | undefined = undefined;
  const emb: OpenAI.Embeddings.CreateEmbeddingResponse = await client.embeddings.create({ model: 'e', input: 'x' });
  const b64 = await client.embeddings.create({ model: 'e', input: 'x', encoding_format: 'base64' });
  const s: string = b64.data[0].embedding;

  const response: Response = await client.chat.completions.create({ model: 'm', messages: [user] }).asResponse();
  const json: unknown = await response.json();
  const { data, response: raw, request_id } = await client.models.list().withResponse();
  const text: string = await raw.text();
  const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
  const asStream: Stream<OpenAI.Chat.Completions.ChatCompletionChunk> = stream;
  for await (const chunk of asStream) void chunk.choices[0]?.delta?.content;
  stream.controller.abort();

  const classes = [Completions, Chat, Embeddings, Models, OpenAI.APIError] as const;
  try {
    await client.models.list();
  } catch (e) {
    if (e instanceof RateLimitError || e instanceof APIError) void e.status;
  }
  void [chunkType, usage, model, emb.data[0].embedding, s, json, data.data, text, request_id, classes];
}
