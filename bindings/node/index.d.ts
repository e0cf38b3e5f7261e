// Type definitions for routerkit (Node.js), shaped like openai-node's so that
// code typed against `openai` compiles against `routerkit`.

// ---------------------------------------------------------------- options

export interface ClientOptions {
  /** Defaults to `THEROUTER_API_KEY`, then `OPENAI_API_KEY`, from the environment or `.env`. */
  apiKey?: string | undefined;
  /** Defaults to `THEROUTER_BASE_URL`, then `OPENAI_BASE_URL`, then `https://api.therouter.ai/v1`. */
  baseURL?: string | null | undefined;
  /** Longest wait (ms) for the response to start and for each next piece of the body. Default 600000. */
  timeout?: number | undefined;
  /** Retries after the first attempt (429, 408, 409, 5xx, connection errors). Default 2. */
  maxRetries?: number | undefined;
  /** Headers sent with every request; `null` removes one. */
  defaultHeaders?: Record<string, string | null | undefined> | undefined;
  /** Sent as `OpenAI-Organization`. */
  organization?: string | null | undefined;
  /** Sent as `OpenAI-Project`. */
  project?: string | null | undefined;
  /** routerkit: longest wait (ms) for a connection. Default 10000. */
  connectTimeout?: number | undefined;
  /** routerkit: bound (ms) on a whole call, retries included. Default 3600000 (60 min). */
  deadline?: number | undefined;
  /**
   * routerkit: longest (ms) a stream may go on keep-alive comments alone, with no event.
   * Default: the longer of 600000 (10 min) and `timeout`.
   */
  keepaliveTimeout?: number | undefined;
  /**
   * routerkit: largest non-streaming response body accepted, in bytes after decompression.
   * Default 33554432 (32 MiB); a larger one rejects with an `APIError` naming `max_body_bytes`.
   */
  maxBodyBytes?: number | undefined;
  /** routerkit: first retry delay (ms) of the exponential backoff. Default 500. */
  initialRetryDelay?: number | undefined;
  /** routerkit: longest retry delay (ms) of the backoff. Default 8000. */
  maxRetryDelay?: number | undefined;
  /**
   * routerkit: extra CA certificate(s) to trust besides the built-in (Mozilla) roots, as with
   * `tls.connect`'s `ca`: PEM text or a Buffer of PEM, or a PEM file's path (a string without
   * `-----BEGIN`), or an array of them. `ROUTERKIT_CA_BUNDLE` (a path) is read too.
   */
  tlsCaCert?: string | Uint8Array | Array<string | Uint8Array> | undefined;
  /**
   * routerkit: allow a plain `http://` baseURL to a host other than loopback (default false: such a
   * baseURL throws a TypeError naming `base_url`; loopback — localhost, 127.0.0.0/8, ::1 — is always allowed).
   */
  allowInsecureHttp?: boolean | undefined;
  /** Accepted for compatibility; routerkit always runs in Node.js. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /**
   * routerkit: called with each call's route receipt when the call ends (a response, an error,
   * a stream's end or abort), once, on the JavaScript thread, after the call settled. What it
   * throws becomes a process warning (`RouterkitWarning`), never the call's error. `withOptions`
   * keeps the hook unless it is given another.
   */
  onReceipt?: ((receipt: Receipt) => void) | undefined;
}

/** routerkit: one attempt of a call. */
export interface ReceiptAttempt {
  /** The model this attempt asked for. */
  model: string | null;
  /** The HTTP status it got, when a response arrived. */
  status: number | null;
  /** How it failed (`status`, `connection`, `timeout`, `stream`, `cancelled`, …); null for the attempt that answered. */
  error: string | null;
  /** The delay waited before this attempt, ms. */
  delay_ms: number;
  /** Why: `retry_after` (the server's header), `backoff`, `gateway_hint`; null for the first attempt. */
  delay_reason: 'retry_after' | 'backoff' | 'gateway_hint' | null;
  /** Started as a hedge beside a slow attempt. */
  hedge: boolean;
}

/**
 * routerkit: the route receipt of a call (`response.receipt`, `stream.receipt`, `err.receipt`,
 * `onReceipt`): which model and provider served, under which gateway ids, after which attempts,
 * how long it took (ms) and what it cost. Never holds the key.
 */
export interface Receipt {
  model_requested: string | null;
  /** The model that served (the body's or first chunk's `model`). */
  model: string | null;
  /** OpenRouter's `provider`, or TheRouter's `x-router-provider`. */
  provider: string | null;
  request_id: string | null;
  generation_id: string | null;
  /** LiteLLM's `x-litellm-*`, TheRouter's `x-router-*`, OpenRouter's `x-openrouter-*` headers. */
  gateway_headers: Array<[string, string]>;
  cache_status: string | null;
  attempts: Array<ReceiptAttempt>;
  fallback: { fired: boolean; model: string | null };
  hedge: { fired: boolean; model: string | null; hedge_won: boolean };
  time_to_first_byte_ms: number | null;
  /** Streams: from the call to the first event. */
  time_to_first_token_ms: number | null;
  total_time_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  /** The usage object as the gateway sent it. */
  usage: Record<string, unknown> | null;
  /** `usage.cost` (OpenRouter), else LiteLLM's `x-litellm-response-cost`. */
  cost: number | null;
  cost_details: Record<string, unknown> | null;
  /** The call has ended; a stream's receipt grows until then. */
  complete: boolean;
}

export type HeadersLike = Record<string, string | null | undefined> | Headers | Array<[string, string]>;

export interface RequestOptions {
  /** Cancels the call (and its stream): rejects with `APIUserAbortError`. */
  signal?: AbortSignal | undefined | null;
  /** ms; see `ClientOptions.timeout`. */
  timeout?: number | undefined;
  /** routerkit: ms bound on this whole call. */
  deadline?: number | undefined;
  /** routerkit: ms; see `ClientOptions.keepaliveTimeout`. */
  keepaliveTimeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: HeadersLike | undefined;
  query?: Record<string, string | number | boolean> | undefined;
  idempotencyKey?: string | undefined;
  /** Fields merged into the JSON body last. */
  extra_body?: Record<string, unknown> | undefined;
}

// ---------------------------------------------------------------- chat types

export interface CompletionUsage {
  completion_tokens: number;
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens_details?: Record<string, number | undefined> | undefined;
  prompt_tokens_details?: Record<string, number | undefined> | undefined;
  [key: string]: unknown;
}

export interface ChatCompletionContentPartText {
  type: 'text';
  text: string;
}
export interface ChatCompletionContentPartImage {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export type ChatCompletionContentPart = ChatCompletionContentPartText | ChatCompletionContentPartImage | { type: string; [key: string]: unknown };

export interface ChatCompletionMessageToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionSystemMessageParam {
  role: 'system';
  content: string | Array<ChatCompletionContentPartText>;
  name?: string;
}
export interface ChatCompletionDeveloperMessageParam {
  role: 'developer';
  content: string | Array<ChatCompletionContentPartText>;
  name?: string;
}
export interface ChatCompletionUserMessageParam {
  role: 'user';
  content: string | Array<ChatCompletionContentPart>;
  name?: string;
}
export interface ChatCompletionAssistantMessageParam {
  role: 'assistant';
  content?: string | Array<ChatCompletionContentPartText> | null;
  name?: string;
  refusal?: string | null;
  tool_calls?: Array<ChatCompletionMessageToolCall>;
  [key: string]: unknown;
}
export interface ChatCompletionToolMessageParam {
  role: 'tool';
  content: string | Array<ChatCompletionContentPartText>;
  tool_call_id: string;
}
export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionDeveloperMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam;

export interface ChatCompletionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type ChatCompletionToolChoiceOption = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatCompletionCreateParamsBase {
  /** A gateway model id, `brand/model-name` (`anthropic/claude-opus-4-5`). */
  model: string;
  messages: Array<ChatCompletionMessageParam>;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | Array<string> | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  user?: string;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  logit_bias?: Record<string, number> | null;
  tools?: Array<ChatCompletionTool>;
  tool_choice?: ChatCompletionToolChoiceOption;
  parallel_tool_calls?: boolean;
  response_format?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: Record<string, unknown> };
  stream_options?: { include_usage?: boolean } | null;
  stream?: boolean | null;
  /** Gateway fields (`provider`, `models`, `reasoning`, `transforms`, …) pass through untouched. */
  [key: string]: unknown;
}
export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase {
  stream?: false | null;
}
export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase {
  stream: true;
}
export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;
export type ChatCompletionStreamParams = ChatCompletionCreateParamsBase;

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: Array<ChatCompletionMessageToolCall>;
  /** Gateways' reasoning fields, kept verbatim. */
  reasoning?: string | null;
  reasoning_content?: string | null;
  reasoning_details?: unknown;
  [key: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<ChatCompletion.Choice>;
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
  /** The gateway's request id (`x-request-id`); not enumerable. */
  _request_id?: string | null;
  /** routerkit: attempts made, the successful one included; not enumerable. */
  _attempts?: number;
  /** routerkit: the route receipt; not enumerable. */
  readonly receipt?: Receipt | null;
  [key: string]: unknown;
}
export namespace ChatCompletion {
  interface Choice {
    index: number;
    message: ChatCompletionMessage;
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | 'error' | (string & {}) | null;
    logprobs?: unknown;
    [key: string]: unknown;
  }
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<ChatCompletionChunk.Choice>;
  usage?: CompletionUsage | null;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}
export namespace ChatCompletionChunk {
  interface Choice {
    index: number;
    delta: Choice.Delta;
    finish_reason: string | null;
    logprobs?: unknown;
    [key: string]: unknown;
  }
  namespace Choice {
    interface Delta {
      role?: 'developer' | 'system' | 'user' | 'assistant' | 'tool';
      content?: string | null;
      refusal?: string | null;
      reasoning?: string | null;
      reasoning_content?: string | null;
      tool_calls?: Array<{
        index: number;
        id?: string;
        type?: 'function';
        function?: { name?: string; arguments?: string };
      }>;
      [key: string]: unknown;
    }
  }
}

export type ChatCompletionSnapshot = ChatCompletion;

// ---------------------------------------------------------------- models, embeddings

export interface Model {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  [key: string]: unknown;
}

export interface ModelsPage extends AsyncIterable<Model> {
  data: Array<Model>;
  object: 'list';
  getPaginatedItems(): Array<Model>;
  hasNextPage(): boolean;
  _request_id?: string | null;
}

// ---------------------------------------------------------------- completions (legacy), moderations

export interface CompletionCreateParamsBase {
  model: string;
  prompt: string | Array<string> | Array<number> | Array<Array<number>> | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | null | Array<string>;
  suffix?: string | null;
  echo?: boolean | null;
  best_of?: number | null;
  logprobs?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  user?: string;
  stream_options?: { include_usage?: boolean } | null;
  [key: string]: unknown;
}
export interface CompletionCreateParamsNonStreaming extends CompletionCreateParamsBase {
  stream?: false | null;
}
export interface CompletionCreateParamsStreaming extends CompletionCreateParamsBase {
  stream: true;
}
export type CompletionCreateParams = CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming;

export interface CompletionChoice {
  finish_reason: 'stop' | 'length' | 'content_filter' | null;
  index: number;
  logprobs: unknown | null;
  text: string;
}

export interface Completion {
  id: string;
  choices: Array<CompletionChoice>;
  created: number;
  model: string;
  object: 'text_completion';
  system_fingerprint?: string;
  usage?: CompletionUsage;
  _request_id?: string | null;
  [key: string]: unknown;
}

export interface ModerationCreateParams {
  input: string | Array<string> | Array<unknown>;
  model?: string;
  [key: string]: unknown;
}

export interface Moderation {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  [key: string]: unknown;
}

export interface ModerationCreateResponse {
  id: string;
  model: string;
  results: Array<Moderation>;
  _request_id?: string | null;
}

export interface EmbeddingCreateParams {
  model: string;
  input: string | Array<string> | Array<number> | Array<Array<number>>;
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

export interface Embedding {
  embedding: Array<number>;
  index: number;
  object: 'embedding';
}

export interface CreateEmbeddingResponse {
  data: Array<Embedding>;
  model: string;
  object: 'list';
  usage: { prompt_tokens: number; total_tokens: number };
  _request_id?: string | null;
}

// ---------------------------------------------------------------- promises and streams

/** The fetch `Response` of a call (status, headers and the body as the engine received it). */
export type APIResponseInfo = Response;

export declare class APIPromise<T> extends Promise<T> {
  private constructor();
  /**
   * The raw fetch `Response`, body unread (`.json()`, `.text()`, `.body`); the data is not parsed.
   * For a stream, the body is the stream's SSE text (`data: {...}` events, then `data: [DONE]`).
   */
  asResponse(): Promise<Response>;
  /** The parsed data with its `Response` and the gateway's request id. */
  withResponse(): Promise<{ data: T; response: Response; request_id: string | null | undefined }>;
}

export declare class Stream<Item> implements AsyncIterable<Item> {
  private constructor();
  /** Aborting it cancels the request and closes the connection. */
  controller: AbortController;
  /** Stops the stream and closes its connection. */
  abort(): void;
  readonly _request_id: string | null;
  readonly _attempts: number;
  /** routerkit: the route receipt, so far during the stream, final after its end or abort. */
  readonly receipt: Receipt | null;
  /** The call's usage once the gateway sent it (the `choices: []` chunk that brings it reaches only a caller who set `stream_options`). */
  readonly usage: CompletionUsage | undefined;
  tee(): [Stream<Item>, Stream<Item>];
  [Symbol.asyncIterator](): AsyncIterator<Item>;
}

export interface ChatCompletionStreamEvents {
  connect: () => void;
  chunk: (chunk: ChatCompletionChunk, snapshot: ChatCompletionSnapshot) => void;
  content: (contentDelta: string, contentSnapshot: string) => void;
  'content.delta': (props: { delta: string; snapshot: string; parsed: unknown | null }) => void;
  'content.done': (props: { content: string; parsed: unknown | null }) => void;
  'refusal.delta': (props: { delta: string; snapshot: string }) => void;
  'refusal.done': (props: { refusal: string }) => void;
  /** routerkit: reasoning text as it arrives (`reasoning` / `reasoning_content`). */
  'reasoning.delta': (props: { delta: string; snapshot: string }) => void;
  'tool_calls.function.arguments.delta': (props: {
    name: string;
    index: number;
    arguments: string;
    parsed_arguments: unknown;
    arguments_delta: string;
  }) => void;
  'tool_calls.function.arguments.done': (props: { name: string; index: number; arguments: string; parsed_arguments: unknown }) => void;
  chatCompletion: (completion: ChatCompletion) => void;
  message: (message: ChatCompletionMessage) => void;
  functionToolCall: (functionCall: { name: string; arguments: string }) => void;
  finalChatCompletion: (completion: ChatCompletion) => void;
  finalMessage: (message: ChatCompletionMessage) => void;
  finalContent: (contentSnapshot: string) => void;
  totalUsage: (usage: CompletionUsage) => void;
  error: (error: OpenAIError) => void;
  abort: (error: APIUserAbortError) => void;
  end: () => void;
}

/** The final message, with the stream's usage (non-enumerable: not sent back if reused in `messages`). */
export type ChatCompletionMessageWithUsage = ChatCompletionMessage & { readonly usage?: CompletionUsage };

export declare class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  private constructor();
  controller: AbortController;
  readonly ended: boolean;
  readonly errored: boolean;
  readonly aborted: boolean;
  readonly _request_id: string | null;
  /** routerkit: attempts made so far. */
  readonly _attempts: number;
  /** routerkit: the route receipt, so far during the stream, final after its end or abort. */
  readonly receipt: Receipt | null;
  /** The completion accumulated by the engine so far (as of the last batch read). */
  readonly currentChatCompletionSnapshot: ChatCompletionSnapshot | undefined;
  on<E extends keyof ChatCompletionStreamEvents>(event: E, listener: ChatCompletionStreamEvents[E]): this;
  off<E extends keyof ChatCompletionStreamEvents>(event: E, listener: ChatCompletionStreamEvents[E]): this;
  once<E extends keyof ChatCompletionStreamEvents>(event: E, listener: ChatCompletionStreamEvents[E]): this;
  emitted<E extends keyof ChatCompletionStreamEvents>(event: E): Promise<unknown>;
  abort(): void;
  done(): Promise<void>;
  finalChatCompletion(): Promise<ChatCompletion>;
  finalMessage(): Promise<ChatCompletionMessageWithUsage>;
  finalContent(): Promise<string | null>;
  totalUsage(): Promise<CompletionUsage>;
  allChatCompletions(): ChatCompletion[];
  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk>;
}

// ---------------------------------------------------------------- resources

export declare class Completions {
  private constructor();
  create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): APIPromise<ChatCompletion>;
  create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParams, options?: RequestOptions): APIPromise<Stream<ChatCompletionChunk> | ChatCompletion>;
  stream(body: ChatCompletionStreamParams, options?: RequestOptions): ChatCompletionStream;
}

export declare class Chat {
  private constructor();
  completions: Completions;
}

export declare class Models {
  private constructor();
  list(options?: RequestOptions): APIPromise<ModelsPage> & AsyncIterable<Model>;
  /** `GET /models/{model}`; a gateway id may hold slashes (`openai/gpt-4.1`). */
  retrieve(model: string, options?: RequestOptions): APIPromise<Model>;
}

/** `client.completions`: the legacy completions endpoint. */
export declare class TextCompletions {
  private constructor();
  create(body: CompletionCreateParamsNonStreaming, options?: RequestOptions): APIPromise<Completion>;
  create(body: CompletionCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<Completion>>;
  create(body: CompletionCreateParams, options?: RequestOptions): APIPromise<Stream<Completion> | Completion>;
}

// ---------------------------------------------------------------- the Responses API

export interface ResponseFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict?: boolean | null;
}

export type ResponseInputItem = { [key: string]: unknown; type?: string };

export interface ResponseCreateParamsBase {
  model: string;
  /** A string, or input items (messages, `function_call_output`, reasoning items passed back…). */
  input: string | Array<ResponseInputItem>;
  instructions?: string | null;
  tools?: Array<ResponseFunctionTool | { type: string; [key: string]: unknown }>;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string } | { type: string; [key: string]: unknown };
  parallel_tool_calls?: boolean | null;
  text?: { format?: { type: string; [key: string]: unknown }; verbosity?: string; [key: string]: unknown };
  reasoning?: { effort?: string | null; summary?: string | null; [key: string]: unknown } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  previous_response_id?: string | null;
  store?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  /** Anything else reaches the gateway as given. */
  [key: string]: unknown;
}
export interface ResponseCreateParamsNonStreaming extends ResponseCreateParamsBase {
  stream?: false | null;
}
export interface ResponseCreateParamsStreaming extends ResponseCreateParamsBase {
  stream: true;
}
export type ResponseCreateParams = ResponseCreateParamsNonStreaming | ResponseCreateParamsStreaming;

export interface ResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: Array<unknown>;
}
export interface ResponseOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: string;
  content: Array<ResponseOutputText | { type: 'refusal'; refusal: string }>;
}
export interface ResponseFunctionToolCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: string;
}
export interface ResponseReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  encrypted_content?: string | null;
  [key: string]: unknown;
}
export type ResponseOutputItem = ResponseOutputMessage | ResponseFunctionToolCall | ResponseReasoningItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * A Responses API response (openai-node: `OpenAI.Responses.Response`). Named `ResponseObject` here
 * so that it does not shadow the fetch `Response` that `asResponse()` gives.
 */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status?: 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';
  model: string;
  output: Array<ResponseOutputItem>;
  /** The text of every `output_text` part of every message item, joined. */
  output_text: string;
  usage?: ResponseUsage;
  error: { code: string; message: string } | null;
  incomplete_details: { reason?: string } | null;
  [key: string]: unknown;
}

/** One event of a Responses stream; `type` names it. */
export interface ResponseStreamEvent {
  type:
    | 'response.created'
    | 'response.in_progress'
    | 'response.output_item.added'
    | 'response.output_item.done'
    | 'response.content_part.added'
    | 'response.content_part.done'
    | 'response.output_text.delta'
    | 'response.output_text.done'
    | 'response.function_call_arguments.delta'
    | 'response.function_call_arguments.done'
    | 'response.completed'
    | 'response.incomplete'
    | (string & {});
  sequence_number: number;
  response?: ResponseObject;
  item?: ResponseOutputItem;
  part?: ResponseOutputText;
  output_index?: number;
  content_index?: number;
  item_id?: string;
  delta?: string;
  text?: string;
  arguments?: string;
  [key: string]: unknown;
}

/** `client.responses.stream(...)`: events by type, async iteration, `finalResponse()`. */
export declare class ResponseStream implements AsyncIterable<ResponseStreamEvent> {
  private constructor();
  readonly controller: AbortController;
  readonly ended: boolean;
  on(event: string, listener: (event: ResponseStreamEvent) => void): this;
  once(event: string, listener: (event: ResponseStreamEvent) => void): this;
  off(event: string, listener: (event: ResponseStreamEvent) => void): this;
  abort(): void;
  done(): Promise<void>;
  finalResponse(): Promise<ResponseObject>;
  currentResponseSnapshot(): ResponseObject | undefined;
  [Symbol.asyncIterator](): AsyncIterator<ResponseStreamEvent>;
}

export declare class Responses {
  private constructor();
  create(body: ResponseCreateParamsNonStreaming, options?: RequestOptions): APIPromise<ResponseObject>;
  create(body: ResponseCreateParamsStreaming, options?: RequestOptions): APIPromise<Stream<ResponseStreamEvent>>;
  create(body: ResponseCreateParams, options?: RequestOptions): APIPromise<Stream<ResponseStreamEvent> | ResponseObject>;
  stream(body: ResponseCreateParamsBase, options?: RequestOptions): ResponseStream;
}
export declare namespace Responses {
  export { type ResponseObject as Response };
}

export declare class Moderations {
  private constructor();
  create(body: ModerationCreateParams, options?: RequestOptions): APIPromise<ModerationCreateResponse>;
}

/** `encoding_format: 'base64'` asked for explicitly: the embeddings stay base64 strings, as openai-node's. */
export type Base64EmbeddingResponse = Omit<CreateEmbeddingResponse, 'data'> & {
  data: Array<Omit<Embedding, 'embedding'> & { embedding: string }>;
};

export declare class Embeddings {
  private constructor();
  /** Without `encoding_format`, asks for base64 and decodes it to numbers (as openai-node). */
  create(body: EmbeddingCreateParams & { encoding_format: 'base64' }, options?: RequestOptions): APIPromise<Base64EmbeddingResponse>;
  create(body: EmbeddingCreateParams, options?: RequestOptions): APIPromise<CreateEmbeddingResponse>;
}

// openai-node's namespaces: `OpenAI.Chat.Completions.ChatCompletionMessageParam`, `OpenAI.Chat.ChatCompletion`,
// `OpenAI.Embeddings.Embedding`, `OpenAI.Models.Model`, `OpenAI.ChatCompletion`.
export declare namespace Completions {
  export {
    type ChatCompletion, type ChatCompletionChunk, type ChatCompletionMessage, type ChatCompletionMessageParam,
    type ChatCompletionSystemMessageParam, type ChatCompletionDeveloperMessageParam, type ChatCompletionUserMessageParam,
    type ChatCompletionAssistantMessageParam, type ChatCompletionToolMessageParam, type ChatCompletionMessageToolCall,
    type ChatCompletionContentPart, type ChatCompletionContentPartText, type ChatCompletionContentPartImage,
    type ChatCompletionTool, type ChatCompletionToolChoiceOption, type ChatCompletionCreateParams,
    type ChatCompletionCreateParamsBase, type ChatCompletionCreateParamsNonStreaming, type ChatCompletionCreateParamsStreaming,
    type ChatCompletionStreamParams, type ChatCompletionSnapshot, type CompletionUsage,
  };
}

export declare namespace Chat {
  export {
    Completions,
    type ChatCompletion, type ChatCompletionChunk, type ChatCompletionMessage, type ChatCompletionMessageParam,
    type ChatCompletionSystemMessageParam, type ChatCompletionDeveloperMessageParam, type ChatCompletionUserMessageParam,
    type ChatCompletionAssistantMessageParam, type ChatCompletionToolMessageParam, type ChatCompletionMessageToolCall,
    type ChatCompletionContentPart, type ChatCompletionContentPartText, type ChatCompletionContentPartImage,
    type ChatCompletionTool, type ChatCompletionToolChoiceOption, type ChatCompletionCreateParams,
    type ChatCompletionCreateParamsBase, type ChatCompletionCreateParamsNonStreaming, type ChatCompletionCreateParamsStreaming,
    type ChatCompletionStreamParams, type ChatCompletionSnapshot, type CompletionUsage,
  };
}

export declare namespace Embeddings {
  export { type CreateEmbeddingResponse, type Embedding, type EmbeddingCreateParams, type Base64EmbeddingResponse };
}

export declare namespace Models {
  export { type Model, type ModelsPage };
}

// ---------------------------------------------------------------- errors

export declare class OpenAIError extends Error {}

export declare class APIError<
  TStatus extends number | undefined = number | undefined,
  THeaders extends Headers | undefined = Headers | undefined,
  TError extends object | undefined = object | undefined,
> extends OpenAIError {
  constructor(status: TStatus, error: TError, message: string | undefined, headers: THeaders);
  /** HTTP status of the response that caused the error. */
  readonly status: TStatus;
  /** Response headers. */
  readonly headers: THeaders;
  /** The error object of the body (`{"error": {...}}` unwrapped). */
  readonly error: TError;
  readonly code: string | null | undefined;
  readonly param: string | null | undefined;
  readonly type: string | undefined;
  readonly requestID: string | null | undefined;
  /** routerkit: attempts made before this error. */
  attempts?: number;
  /** routerkit: the route receipt of the call that failed (null when nothing was sent). */
  receipt?: Receipt | null;
  /** routerkit: the delay the server asked for (`retry-after-ms` / `retry-after`), in ms. */
  retryAfter?: number;
  static generate(status: number | undefined, errorResponse: object | undefined, message: string | undefined, headers: Headers | undefined): APIError;
}

export declare class APIUserAbortError extends APIError<undefined, undefined, undefined> {
  constructor(opts?: { message?: string });
}
export declare class APIConnectionError extends APIError<undefined, undefined, undefined> {
  constructor(opts: { message?: string | undefined; cause?: Error | undefined });
}
export declare class APIConnectionTimeoutError extends APIConnectionError {
  constructor(opts?: { message?: string });
}
/** An error inside a 200 stream (an `error` event or chunk), or a stream cut short. */
export declare class APIStreamError extends APIError<undefined, Headers, object | undefined> {
  /** `stream` or `decode`. */
  kind?: string;
}
export declare class BadRequestError extends APIError<400, Headers> {}
export declare class AuthenticationError extends APIError<401, Headers> {}
export declare class PermissionDeniedError extends APIError<403, Headers> {}
export declare class NotFoundError extends APIError<404, Headers> {}
export declare class ConflictError extends APIError<409, Headers> {}
export declare class UnprocessableEntityError extends APIError<422, Headers> {}
export declare class RateLimitError extends APIError<429, Headers> {}
export declare class InternalServerError extends APIError<number, Headers> {}

// ---------------------------------------------------------------- the client

export declare class Client {
  constructor(options?: ClientOptions);
  static DEFAULT_TIMEOUT: number;
  /** The key given to the constructor (masked when it came from the environment). Never printed. */
  readonly apiKey: string;
  baseURL: string;
  timeout: number;
  maxRetries: number;
  chat: Chat;
  models: Models;
  embeddings: Embeddings;
  completions: TextCompletions;
  moderations: Moderations;
  responses: Responses;
  /** A client with some options changed, sharing this one's connection pool. */
  withOptions(options: Partial<ClientOptions>): this;

  static Client: typeof Client;
  static OpenAI: typeof Client;
  static OpenAIError: typeof OpenAIError;
  static APIError: typeof APIError;
  static APIUserAbortError: typeof APIUserAbortError;
  static APIConnectionError: typeof APIConnectionError;
  static APIConnectionTimeoutError: typeof APIConnectionTimeoutError;
  static APIStreamError: typeof APIStreamError;
  static BadRequestError: typeof BadRequestError;
  static AuthenticationError: typeof AuthenticationError;
  static PermissionDeniedError: typeof PermissionDeniedError;
  static NotFoundError: typeof NotFoundError;
  static ConflictError: typeof ConflictError;
  static UnprocessableEntityError: typeof UnprocessableEntityError;
  static RateLimitError: typeof RateLimitError;
  static InternalServerError: typeof InternalServerError;
}

export declare namespace Client {
  export {
    Chat,
    Embeddings,
    Models,
    type ChatCompletion, type ChatCompletionChunk, type ChatCompletionMessage, type ChatCompletionMessageParam,
    type ChatCompletionSystemMessageParam, type ChatCompletionDeveloperMessageParam, type ChatCompletionUserMessageParam,
    type ChatCompletionAssistantMessageParam, type ChatCompletionToolMessageParam, type ChatCompletionMessageToolCall,
    type ChatCompletionContentPart, type ChatCompletionContentPartText, type ChatCompletionContentPartImage,
    type ChatCompletionTool, type ChatCompletionToolChoiceOption, type ChatCompletionCreateParams,
    type ChatCompletionCreateParamsBase, type ChatCompletionCreateParamsNonStreaming, type ChatCompletionCreateParamsStreaming,
    type ChatCompletionStreamParams, type ChatCompletionSnapshot, type CompletionUsage,
    type CreateEmbeddingResponse,
    type Embedding,
    type EmbeddingCreateParams,
    type Model,
    type ModelsPage,
    type ClientOptions,
    type RequestOptions,
  };
}

export { Client as OpenAI };
export default Client;
