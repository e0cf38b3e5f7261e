// The simple endpoints gateways serve beside chat: legacy completions (plain and streamed) and
// moderations.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });

const completion = await client.completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 16 });
console.log(completion.object, completion.choices[0].text, completion.choices[0].finish_reason);
console.log('usage:', completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens);

const pieces = [];
const stream = await client.completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'Count to three', stream: true });
for await (const event of stream) {
  if (event.choices.length) pieces.push(event.choices[0].text ?? '');
}
console.log('streamed:', pieces.join(''), 'events with text:', pieces.filter((p) => p).length);

const result = await client.moderations.create({ model: 'omni-moderation-latest', input: ['a kind word', 'I will attack'] });
for (const r of result.results) {
  const flagged = Object.entries(r.categories).filter(([, on]) => on).map(([name]) => name).sort();
  console.log('flagged:', r.flagged, flagged, r.category_scores.violence.toFixed(2));
}
