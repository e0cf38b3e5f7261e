'use strict';
// routerkit for Node.js: openai-node's surface on routerkit's native engine.
// `import OpenAI from "openai"` → `import OpenAI from "routerkit"`.

const { Client, APIPromise } = require('./lib/client');
const errors = require('./lib/errors');
const { Stream, ChatCompletionStream } = require('./lib/streaming');
const { ResponseStream } = require('./lib/responses');
const { ChatCompletionRunner, ChatCompletionStreamingRunner, ParsingToolFunction } = require('./lib/runner');

const exported = {
  Client,
  OpenAI: Client,
  default: Client,
  APIPromise,
  Stream,
  ChatCompletionStream,
  ResponseStream,
  ChatCompletionRunner,
  ChatCompletionStreamingRunner,
  ParsingToolFunction,
  OpenAIError: errors.OpenAIError,
  APIError: errors.APIError,
  APIUserAbortError: errors.APIUserAbortError,
  APIConnectionError: errors.APIConnectionError,
  APIConnectionTimeoutError: errors.APIConnectionTimeoutError,
  APIStreamError: errors.APIStreamError,
  BadRequestError: errors.BadRequestError,
  AuthenticationError: errors.AuthenticationError,
  PermissionDeniedError: errors.PermissionDeniedError,
  NotFoundError: errors.NotFoundError,
  ConflictError: errors.ConflictError,
  UnprocessableEntityError: errors.UnprocessableEntityError,
  RateLimitError: errors.RateLimitError,
  InternalServerError: errors.InternalServerError,
  LengthFinishReasonError: errors.LengthFinishReasonError,
  ContentFilterFinishReasonError: errors.ContentFilterFinishReasonError,
  OutputValidationError: errors.OutputValidationError,
};

// Like openai-node: `require("routerkit")` is the client class, with every name on it
// (`OpenAI.APIError`, `const { APIError } = require("routerkit")`).
for (const [name, value] of Object.entries(exported)) {
  if (name !== 'DEFAULT_TIMEOUT') Object.defineProperty(Client, name, { value, enumerable: name !== 'default', writable: true, configurable: true });
}
Object.defineProperty(Client, '__esModule', { value: true });

module.exports = Client;
