// `routerkit/resources/responses/responses`: the Responses resource and the types of it that
// routerkit has, under openai-node's names (its `Response` is routerkit's `ResponseObject`).
export {
  Responses,
  type ResponseObject as Response,
  type ResponseStreamEvent,
  type ResponseCreateParams,
  type ResponseCreateParamsBase,
  type ResponseCreateParamsNonStreaming,
  type ResponseCreateParamsStreaming,
  type ResponseInputItem,
  type ResponseOutputItem,
  type ResponseOutputMessage,
  type ResponseOutputText,
  type ResponseFunctionToolCall,
  type ResponseReasoningItem,
  type ResponseUsage,
  type ResponseParseParams,
  type ParsedResponse,
} from '../../../index.js';
