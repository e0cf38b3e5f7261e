// OpenTelemetry spans from routerkit's route receipts, with the GenAI semantic conventions.
//
// routerkit has no OpenTelemetry dependency: the client's `onReceipt` hook gets each call's receipt
// when the call ends (a response, an error, a stream's end or abort), and this program turns it into
// a span. Its SDK is this folder's own dependency (`npm install` here).
import { trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'routerkit';

const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
trace.setGlobalTracerProvider(provider);
const tracer = trace.getTracer('routerkit.example');

function onReceipt(r) {
  // The hook runs once the call has ended: the span is backdated to the call's start.
  const end = Date.now();
  const span = tracer.startSpan(`chat ${r.model_requested}`, { kind: SpanKind.CLIENT, startTime: end - (r.total_time_ms ?? 0) });
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai', // the wire protocol; the provider that served is below
    'gen_ai.request.model': r.model_requested,
    'gen_ai.response.model': r.model,
    'gen_ai.response.id': r.generation_id,
    'gen_ai.usage.input_tokens': r.input_tokens,
    'gen_ai.usage.output_tokens': r.output_tokens,
    'routerkit.provider': r.provider,
    'routerkit.request_id': r.request_id,
    'routerkit.attempts': r.attempts.length,
    'routerkit.fallback': r.fallback.fired,
    'routerkit.time_to_first_token_ms': r.time_to_first_token_ms,
    'routerkit.cost': r.cost,
  };
  for (const [k, v] of Object.entries(attributes)) if (v != null) span.setAttribute(k, v);
  r.attempts.forEach((a, i) => span.addEvent('attempt', { n: i + 1, status: a.status ?? 0, delay_ms: a.delay_ms, error: a.error ?? '' }));
  const failed = r.attempts.findLast((a) => a.error)?.error;
  if (failed && !r.model) {
    span.setAttribute('error.type', failed);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end(end);
}

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? 'https://api.therouter.ai/v1',
  onReceipt,
});

const completion = await client.chat.completions.create({
  model: 'openai/gpt-4.1',
  messages: [{ role: 'user', content: 'Say hi in five words.' }],
});
console.log(completion.choices[0].message.content);

const stream = await client.chat.completions.create({
  model: 'anthropic/claude-opus-4-5',
  messages: [{ role: 'user', content: 'Count to three.' }],
  stream: true,
});
let text = '';
for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
console.log(text);
const r = stream.receipt;
console.log(`[stream: ${r.output_tokens} tokens, first token after ${r.time_to_first_token_ms.toFixed(1)} ms]`);
// The hook runs on this thread after the call settled: let it, before the program ends.
await new Promise((resolve) => setImmediate(resolve));
await provider.shutdown();
