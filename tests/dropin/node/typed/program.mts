// Type-checked (tsc --noEmit), not run: a typed program written for openai-node, checked against
// openai's declarations as written and against routerkit's with its import lines changed.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { Model } from 'openai/resources/index';
import { Stream } from 'openai/streaming';
import { APIError, RateLimitError } from 'openai/error';
import { Completions } from 'openai/resources/completions';
import type { Moderation } from 'openai/resources/moderations';
import type { Response as ModelResponse, ResponseCreateParamsNonStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { RunnableFunction } from 'openai/lib/RunnableFunction';

const client = new OpenAI({ apiKey: 'sk-typed', maxRetries: 1, timeout: 20_000 });

export async function typed(): Promise<string | null> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
  const more: ChatCompletionMessageParam[] = [...messages, { role: 'assistant', content: 'hello' }];
  const system: OpenAI.Chat.ChatCompletionSystemMessageParam = { role: 'system', content: 'be brief' };
  const tool: ChatCompletionTool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };
  const completion: OpenAI.Chat.ChatCompletion = await client.chat.completions.create({ model: 'm', messages: [system, ...more], tools: [tool] });
  const top: OpenAI.ChatCompletion = completion;
  const usage: OpenAI.CompletionUsage | undefined = top.usage;
  const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
  const typedStream: Stream<OpenAI.Chat.Completions.ChatCompletionChunk> = stream;
  for await (const chunk of typedStream) void chunk.choices[0]?.delta?.content;
  const response: Response = await client.chat.completions.create({ model: 'm', messages }).asResponse();
  const { data, response: raw, request_id } = await client.models.list().withResponse();
  const models: Model[] = data.data;
  const emb: OpenAI.Embeddings.CreateEmbeddingResponse = await client.embeddings.create({ model: 'e', input: 'x' });
  const vector: number[] = emb.data[0].embedding;
  try {
    await client.models.list();
  } catch (err) {
    if (err instanceof RateLimitError) void err.headers?.get('retry-after');
    else if (err instanceof APIError) void [err.status, err.code, err.requestID];
  }
  const legacy: Completions = client.completions;
  const text: OpenAI.Completion = await legacy.create({ model: 'm', prompt: 'x', max_tokens: 5 });
  const same: OpenAI.Completions.Completion = text;
  const pieces = await client.completions.create({ model: 'm', prompt: 'x', stream: true });
  for await (const piece of pieces) void piece.choices[0]?.text;
  const verdict: OpenAI.ModerationCreateResponse = await client.moderations.create({ input: 'x' });
  const first: Moderation = verdict.results[0];
  const model: OpenAI.Models.Model = await client.models.retrieve('openai/gpt-4.1');
  void [same.choices[0].text, first.flagged, model.id];
  const params: ResponseCreateParamsNonStreaming = { model: 'm', input: 'x' };
  const reply: ModelResponse = await client.responses.create(params);
  const events = await client.responses.create({ model: 'm', input: 'x', stream: true });
  for await (const event of events) {
    const typedEvent: ResponseStreamEvent = event;
    if (typedEvent.type === 'response.output_text.delta') void typedEvent.delta;
  }
  const add: RunnableFunction<{ a: number }> = {
    name: 'add', description: 'Adds', parameters: { type: 'object' }, parse: (input) => JSON.parse(input), function: (args) => args.a,
  };
  void [reply.output_text, add.name];
  void [usage, response.status, raw.headers.get('x-request-id'), request_id, models, vector];
  return completion.choices[0].message.content;
}
