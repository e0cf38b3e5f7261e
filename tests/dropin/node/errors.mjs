// Errors by class, as openai-node's README handles them.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, maxRetries: 0 });
const messages = [{ role: 'user', content: 'hi' }];

for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 503]) {
  const step = { status, body: { error: { message: `boom ${status}`, type: 'test_error', code: `c${status}`, param: null } } };
  try {
    await client.chat.completions.create({ model: 'm', messages }, { headers: { 'x-mock-step': JSON.stringify(step) } });
  } catch (err) {
    if (err instanceof OpenAI.APIError) {
      console.log(err.constructor.name, err.name, err.status, err.code, err.type, err.param, err.message);
      console.log('  ', err.requestID, err.headers.get('x-request-id'), JSON.stringify(err.error));
      console.log('  ', err instanceof OpenAI.OpenAIError, err instanceof OpenAI.RateLimitError, err instanceof OpenAI.InternalServerError);
    } else throw err;
  }
}

try {
  await new OpenAI({ baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 }).models.list();
} catch (err) {
  console.log('connection:', err.constructor.name, err instanceof OpenAI.APIConnectionError, err.status);
}

const retried = await client.chat.completions
  .create({ model: 'm', messages }, { maxRetries: 2, headers: { 'x-mock-step': JSON.stringify({ status: 429, headers: { 'retry-after': '0' } }) } })
  .catch((err) => err);
console.log('after retries:', retried.constructor.name, retried.status);
