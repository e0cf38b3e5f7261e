// One model by its gateway id, which holds a slash, and one the gateway does not serve.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });

const model = await client.models.retrieve('openai/gpt-4.1');
console.log('model:', model.id, model.object, model.owned_by);
try {
  await client.models.retrieve('openai/no-such-model');
} catch (err) {
  if (!(err instanceof OpenAI.NotFoundError)) throw err;
  console.log('not found:', err.constructor.name, err.status);
}
