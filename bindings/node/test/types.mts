// Compiled by `tsc --noEmit` (not run): openai-node-style code must type-check against index.d.ts.
import OpenAI, {
  OpenAI as Named,
  APIError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  RateLimitError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionMessageParam,
} from 'routerkit';

export async function typed(): Promise<void> {
  const client = new OpenAI({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:1/v1', timeout: 60_000, maxRetries: 3 });
  // The ESM default export (index.d.mts) is the class itself, as a value and as a type.
  const same: OpenAI = new Named();
  void same.chat.completions;
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
  const completion: ChatCompletion = await client.chat.completions.create({ model: 'm', messages, max_tokens: 5 });
  const text: string | null = completion.choices[0].message.content;
  const id: string | null | undefined = completion._request_id;
  const stream = await client.chat.completions.create({ model: 'm', messages, stream: true }, { signal: AbortSignal.timeout(1000) });
  for await (const chunk of stream) {
    const c: ChatCompletionChunk = chunk;
    const delta: string | null | undefined = c.choices[0]?.delta?.content;
    void delta;
  }
  stream.controller.abort();
  const helper = client.chat.completions.stream({ model: 'm', messages });
  helper.on('content', (delta: string, snapshot: string) => void [delta, snapshot]);
  helper.on('chunk', (chunk, snapshot) => void [chunk.id, snapshot.id]);
  const final = await helper.finalMessage();
  const total: number | undefined = final.usage?.total_tokens;
  const { data, response } = await client.chat.completions.create({ model: 'm', messages }).withResponse();
  const status: number = response.status;
  const page = await client.models.list();
  for await (const model of client.models.list()) void model.id;
  const emb = await client.embeddings.create({ model: 'e', input: 'x' });
  const other = client.withOptions({ maxRetries: 0 });
  try {
    await other.chat.completions.create({ model: 'm', messages });
  } catch (err) {
    if (err instanceof RateLimitError) void err.headers.get('retry-after');
    else if (err instanceof APIConnectionTimeoutError || err instanceof APIConnectionError) void err.message;
    else if (err instanceof APIUserAbortError) void 0;
    else if (err instanceof APIError) void [err.status, err.code, err.type, err.param, err.requestID, err.error, err.retryAfter, err.attempts];
  }
  void [text, id, total, data, status, page.data[0].id, emb.data[0].embedding];
}

// The tool runner, as openai-node's docs write it.
export function toolRunner(): void {
  const client = new OpenAI({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:1/v1' });
  const runner = client.chat.completions.runTools(
    {
      model: 'openai/gpt-4.1',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            function: (args: { city: string }) => ({ city: args.city }),
            parse: JSON.parse,
            description: 'Weather in a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    },
    { maxChatCompletions: 3 },
  );
  runner.on('functionToolCall', (f) => f.name.toUpperCase()).on('content', (c: string) => c.length);
  const content: Promise<string | null> = runner.finalContent();
  void content;
  const streaming = client.chat.completions.runTools({ model: 'm', messages: [], stream: true, tools: [] });
  streaming.on('content', (delta: string, snapshot: string) => delta + snapshot);
  void (async () => {
    for await (const chunk of streaming) chunk.choices.length;
  })();
}
