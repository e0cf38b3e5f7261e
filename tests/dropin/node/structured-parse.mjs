// Structured outputs with zod, as openai-node's docs write them: parse() with zodResponseFormat, a
// refusal, zodFunction's parsed_arguments, the finish-reason errors, the stream helper's parsed
// content, and responses.parse with zodTextFormat.
import OpenAI from 'openai';
import { LengthFinishReasonError, ContentFilterFinishReasonError } from 'openai/error';
import { zodResponseFormat, zodFunction, zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });
const messages = [
  { role: 'system', content: 'You are a math tutor.' },
  { role: 'user', content: 'solve 8x + 31 = 2' },
];
const Step = z.object({ explanation: z.string(), output: z.string() });
const MathReasoning = z.object({ steps: z.array(Step), final_answer: z.string() });
const ANSWER = { steps: [{ explanation: 'Subtract 31.', output: '8x = -29' }], final_answer: 'x = -29/8' };

const step = (message, finish = 'stop') => ({
  headers: {
    'x-mock-step': JSON.stringify({
      body: {
        id: 'chatcmpl-parse',
        object: 'chat.completion',
        created: 1700000000,
        model: 'openai/gpt-4.1',
        choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
        usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
      },
    }),
  },
});

const format = zodResponseFormat(MathReasoning, 'math_reasoning');
const completion = await client.chat.completions.parse(
  { model: 'openai/gpt-4.1', messages, response_format: format },
  step({ content: JSON.stringify(ANSWER) }),
);
const message = completion.choices[0].message;
console.log(JSON.stringify(message.parsed), message.parsed.final_answer, message.refusal ?? null);

const refused = await client.chat.completions.parse(
  { model: 'openai/gpt-4.1', messages, response_format: format },
  step({ content: null, refusal: "I can't help with that." }),
);
console.log('refusal:', refused.choices[0].message.parsed, refused.choices[0].message.refusal);

const weather = zodFunction({ name: 'get_weather', parameters: z.object({ city: z.string(), days: z.number() }), description: 'The weather' });
const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris", "days": 3}' } };
const withTool = await client.chat.completions.parse(
  { model: 'openai/gpt-4.1', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather] },
  step({ content: null, tool_calls: [call] }, 'tool_calls'),
);
console.log('tool:', JSON.stringify(withTool.choices[0].message.tool_calls[0].function.parsed_arguments));

for (const [finish, Err] of [
  ['length', LengthFinishReasonError],
  ['content_filter', ContentFilterFinishReasonError],
]) {
  try {
    await client.chat.completions.parse({ model: 'openai/gpt-4.1', messages, response_format: format }, step({ content: '{"st' }, finish));
  } catch (e) {
    console.log(finish, '->', e.constructor.name, e instanceof Err, e instanceof OpenAI.OpenAIError, e instanceof OpenAI.APIError);
  }
}

try {
  await client.chat.completions.parse(
    { model: 'openai/gpt-4.1', messages, response_format: format },
    step({ content: JSON.stringify({ steps: [{ explanation: 'x' }], final_answer: 'y' }) }),
  );
} catch (e) {
  // zod's ZodError on openai-node, routerkit's OutputValidationError: both reject it.
  console.log('a mismatched answer is rejected:', e instanceof Error);
}

const stream = client.chat.completions.stream(
  { model: 'openai/gpt-4.1', messages, response_format: format },
  { headers: { 'x-mock-step': JSON.stringify({ stream: { content: JSON.stringify(ANSWER), pieces: 4 } }) } },
);
stream.on('content.done', (e) => console.log('content.done:', JSON.stringify(e.parsed)));
const final = await stream.finalChatCompletion();
console.log('final:', JSON.stringify(final.choices[0].message.parsed));

const responseBody = {
  id: 'resp_parse',
  object: 'response',
  created_at: 1700000000,
  status: 'completed',
  model: 'openai/gpt-4.1',
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: JSON.stringify(ANSWER), annotations: [] }] }],
  usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
};
const response = await client.responses.parse(
  { model: 'openai/gpt-4.1', input: 'solve 8x + 31 = 2', text: { format: zodTextFormat(MathReasoning, 'math_reasoning') } },
  { headers: { 'x-mock-step': JSON.stringify({ body: responseBody }) } },
);
console.log('responses:', JSON.stringify(response.output_parsed), response.output_text === JSON.stringify(ANSWER));

const textFormat = zodTextFormat(MathReasoning, 'math_reasoning');
const responseStream = client.responses.stream(
  { model: 'openai/gpt-4.1', input: 'solve 8x + 31 = 2', text: { format: textFormat } },
  { headers: { 'x-mock-step': JSON.stringify({ stream: { content: JSON.stringify(ANSWER), pieces: 3 } }) } },
);
responseStream.on('response.output_text.done', (e) => console.log('output_text.done:', e.text === JSON.stringify(ANSWER)));
const streamed = await responseStream.finalResponse();
console.log('responses stream:', JSON.stringify(streamed.output_parsed), streamed.output_text === JSON.stringify(ANSWER));

try {
  await client.responses
    .stream(
      { model: 'openai/gpt-4.1', input: 'solve 8x + 31 = 2', text: { format: textFormat } },
      { headers: { 'x-mock-step': JSON.stringify({ stream: { content: JSON.stringify({ steps: [], final_answer: 7 }), pieces: 2 } }) } },
    )
    .finalResponse();
} catch (e) {
  // zod's error at the end on openai-node, routerkit's OutputValidationError where the text is whole.
  console.log('a mismatched streamed answer is rejected:', e instanceof Error);
}
