// The Responses API as openai-node's README writes it: create and output_text, a function call
// item and its output sent back, reasoning items, create({stream: true}) looped with for await,
// and the responses.stream helper with its events and finalResponse().
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });
const model = 'openai/gpt-4.1';

let response = await client.responses.create({ model, input: 'Name three prime numbers.' });
console.log(response.object, response.status, response.id.startsWith('resp_'), response.model);
console.log(response.output_text);
console.log(response.output.map((item) => item.type), response.output[0].content.map((part) => part.type));
console.log(response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens);

response = await client.responses.create({
  model: 'openai/o4-mini',
  instructions: 'Answer in one line.',
  input: [{ role: 'user', content: 'What is a monad?' }],
  reasoning: { effort: 'low', summary: 'auto' },
});
console.log(response.output.map((item) => item.type));
console.log(response.output.filter((item) => item.type === 'reasoning').flatMap((item) => item.summary.map((p) => p.text)));
console.log(response.output_text);

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city', 'days'],
  },
  strict: false,
};
const question = [{ role: 'user', content: 'Weather in Paris?' }];
response = await client.responses.create({ model, input: question, tools: [weather], tool_choice: 'required' });
const calls = response.output.filter((item) => item.type === 'function_call');
for (const call of calls) console.log(call.type, call.call_id, call.name, JSON.parse(call.arguments));
console.log(JSON.stringify(response.output_text));

// The call's result goes back as input items, as the function-calling guide does it.
const followUp = [
  ...question,
  ...calls.map(({ type, call_id, name, arguments: args }) => ({ type, call_id, name, arguments: args })),
  ...calls.map((call) => ({ type: 'function_call_output', call_id: call.call_id, output: 'sunny' })),
];
response = await client.responses.create({ model, input: followUp, tools: [weather] });
console.log(response.output_text);

const stream = await client.responses.create({ model, input: 'Count to three', stream: true });
const types = [];
let text = '';
for await (const event of stream) {
  types.push(event.type);
  if (event.type === 'response.output_text.delta') text += event.delta;
  else if (event.type === 'response.completed') console.log('completed:', event.response.status, event.response.output.length);
}
console.log(text);
console.log(types.join(' '));

const helper = client.responses.stream({ model, input: 'What does an event loop do?' });
let streamed = '';
helper.on('response.output_text.delta', (event) => {
  streamed += event.delta;
});
helper.on('response.output_text.done', (event) => console.log('text done:', event.text));
const final = await helper.finalResponse();
console.log(final.status, final.output_text, final.usage.total_tokens, streamed === final.output_text);

const toolStream = client.responses.stream({ model, input: 'Weather in Oslo?', tools: [weather], tool_choice: 'required' });
const pieces = [];
for await (const event of toolStream) {
  if (event.type === 'response.function_call_arguments.delta') pieces.push(event.delta);
}
const toolFinal = await toolStream.finalResponse();
console.log(pieces.length, pieces.join(''));
console.log(toolFinal.output.filter((item) => item.type === 'function_call').map((item) => [item.name, item.arguments]));
