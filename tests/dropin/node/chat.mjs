// A chat completion, printed field by field (openai-node's README).
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });

const completion = await client.chat.completions.create({
  model: 'openai/gpt-4.1',
  messages: [
    { role: 'developer', content: 'Talk like a pirate.' },
    { role: 'user', content: 'Are semicolons optional in JavaScript?' },
  ],
  temperature: 0.2,
});
console.log(completion.id, completion.object, completion.created, completion.model);
const [choice] = completion.choices;
console.log(choice.index, choice.finish_reason, choice.message.role);
console.log(choice.message.content);
console.log(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens);
console.log(completion._request_id);
console.log(Object.keys(completion).sort().join(','));
console.log(JSON.stringify(choice.message));
