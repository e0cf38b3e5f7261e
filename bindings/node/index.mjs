// ESM entry: the same classes as the CommonJS entry (one module instance, so `instanceof` holds across both).
import Client from './index.js';

export default Client;
export const {
  OpenAI,
  APIPromise,
  Stream,
  ChatCompletionStream,
  ResponseStream,
  ChatCompletionRunner,
  ChatCompletionStreamingRunner,
  ParsingToolFunction,
  OpenAIError,
  APIError,
  APIUserAbortError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIStreamError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
} = Client;
export { Client };
