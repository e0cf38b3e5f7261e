'use strict';
// openai-node's error classes, and the translation table from the core's
// error kinds (the repository's ARCHITECTURE.md) to them.

const PREFIX = '{"routerkit":1,';

class OpenAIError extends Error {}

function makeMessage(status, error, message) {
  const msg = error?.message
    ? typeof error.message === 'string'
      ? error.message
      : JSON.stringify(error.message)
    : error
      ? JSON.stringify(error)
      : message;
  if (status && msg) return `${status} ${msg}`;
  if (status) return `${status} status code (no body)`;
  if (msg) return msg;
  return '(no status code or body)';
}

class APIError extends OpenAIError {
  constructor(status, error, message, headers) {
    super(makeMessage(status, error, message));
    this.status = status;
    this.headers = headers;
    this.requestID = typeof headers?.get === 'function' ? headers.get('x-request-id') : undefined;
    this.error = error;
    this.code = error?.code;
    this.param = error?.param;
    this.type = error?.type;
  }

  static generate(status, errorResponse, message, headers) {
    if (!status || !headers) return new APIConnectionError({ message, cause: castToError(errorResponse) });
    const error = errorResponse?.error ?? errorResponse;
    return new (statusClass(status))(status, error, message, headers);
  }
}

class APIUserAbortError extends APIError {
  constructor({ message } = {}) {
    super(undefined, undefined, message || 'Request was aborted.', undefined);
  }
}

class APIConnectionError extends APIError {
  constructor({ message, cause } = {}) {
    super(undefined, undefined, message || 'Connection error.', undefined);
    if (cause) this.cause = cause;
  }
}

class APIConnectionTimeoutError extends APIConnectionError {
  constructor({ message } = {}) {
    super({ message: message ?? 'Request timed out.' });
  }
}

/** An error the gateway reported inside a 200 stream, or a stream that ended truncated. */
class APIStreamError extends APIError {}

class BadRequestError extends APIError {}
class AuthenticationError extends APIError {}
class PermissionDeniedError extends APIError {}
class NotFoundError extends APIError {}
class ConflictError extends APIError {}
class UnprocessableEntityError extends APIError {}
class RateLimitError extends APIError {}
class InternalServerError extends APIError {}

const BY_STATUS = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function statusClass(status) {
  return BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
}

function castToError(e) {
  if (e instanceof Error) return e;
  return e === undefined ? undefined : new Error(typeof e === 'string' ? e : JSON.stringify(e));
}

function toHeaders(pairs) {
  const h = new Headers();
  if (pairs) {
    for (const [k, v] of pairs) {
      try {
        h.append(k, v);
      } catch {
        /* a header value Headers refuses: skip it */
      }
    }
  }
  return h;
}

function extras(err, p) {
  // routerkit additions: how many attempts were made, the delay the server asked for (ms).
  err.attempts = p.attempts;
  if (p.retry_after_ms != null) err.retryAfter = p.retry_after_ms;
  // The route receipt of the call that failed (null when nothing was sent).
  err.receipt = p.receipt ?? null;
  return err;
}

/** A stream's failure is an APIStreamError; a call that is not a stream gets a plain APIError. */
function streamError(p, inStream = true) {
  const body = p.body && typeof p.body === 'object' ? p.body : undefined;
  const Class = inStream ? APIStreamError : APIError;
  const err = new Class(undefined, body, body ? undefined : p.message, toHeaders(p.headers));
  if (body) err.message = p.message;
  if (err.requestID == null && p.request_id != null) err.requestID = p.request_id;
  err.kind = p.kind;
  return extras(err, p);
}

/**
 * The class for each of the core's error kinds, from its wire form (every field, `message` undecorated).
 * A kind the core has and this table lacks fails test/errors.test.js.
 */
const BY_KIND = {
  status(p) {
    const headers = toHeaders(p.headers);
    const body = p.body;
    const err =
      typeof body === 'string'
        ? new (statusClass(p.status))(p.status, undefined, body, headers)
        : new (statusClass(p.status))(p.status, body ?? undefined, undefined, headers);
    if (err.requestID == null && p.request_id != null) err.requestID = p.request_id;
    return extras(err, p);
  },
  timeout: (p) => extras(new APIConnectionTimeoutError({ message: p.message }), p),
  connection: (p) => extras(new APIConnectionError({ message: p.message }), p),
  cancelled: (p) => extras(new APIUserAbortError(), p),
  invalid_request(p) {
    const err = new TypeError(p.message);
    err.field = p.field;
    return err;
  },
  stream: streamError,
  decode: streamError,
};

/**
 * The native rejection (message = the core's error wire form) → openai-node's class. Anything else passes through.
 * `inStream`: the failure is a stream's (APIStreamError); a call that is not a stream gets APIError.
 */
function fromNative(e, inStream = true) {
  const message = e?.message;
  if (typeof message !== 'string' || !message.startsWith(PREFIX)) return e;
  let p;
  try {
    p = JSON.parse(message);
  } catch {
    return e;
  }
  // A kind from a newer engine than this file: the stream/decode shape, which carries every field.
  return (Object.hasOwn(BY_KIND, p.kind) ? BY_KIND[p.kind] : streamError)(p, inStream);
}

module.exports = {
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
  fromNative,
  toHeaders,
  BY_KIND,
};
