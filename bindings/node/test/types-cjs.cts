// Compiled by `tsc --noEmit`: the CommonJS entry's types (`require("routerkit")`).
import OpenAI = require('routerkit');

export function cjs(): void {
  const client = new OpenAI.OpenAI({ apiKey: 'sk-x' });
  const C = OpenAI.default;
  const other: OpenAI.Client = new C();
  const err: unknown = null;
  if (err instanceof OpenAI.APIError) void err.status;
  void [client.baseURL, other.maxRetries];
}
