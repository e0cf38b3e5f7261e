// CommonJS: require('openai'), the named and default forms.
const OpenAI = require('openai');
const { OpenAI: Named, APIError } = require('openai');

async function main() {
  const client = new Named({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });
  console.log(OpenAI.OpenAI === Named, typeof OpenAI.default, typeof APIError);
  const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'from cjs' }] });
  console.log(r.choices[0].message.content);
  const e = await client.models.list({ headers: { 'x-mock-step': '{"status":401}' }, maxRetries: 0 }).catch((err) => err);
  console.log(e instanceof APIError, e instanceof OpenAI.AuthenticationError, e.status);
}
main();
