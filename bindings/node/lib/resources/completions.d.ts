// `routerkit/resources/completions`: the legacy completions resource and its types.
export {
  TextCompletions as Completions,
  type Completion,
  type CompletionChoice,
  type CompletionUsage,
  type CompletionCreateParams,
  type CompletionCreateParamsBase,
  type CompletionCreateParamsNonStreaming,
  type CompletionCreateParamsStreaming,
} from '../../index.js';
