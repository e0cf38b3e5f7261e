// `routerkit/resources` and `routerkit/resources/index`: the resource classes and their types.
export {
  Chat,
  Embeddings,
  Models,
  TextCompletions as Completions,
  Moderations,
  type Completion,
  type CompletionChoice,
  type CompletionCreateParams,
  type Moderation,
  type ModerationCreateParams,
  type ModerationCreateResponse,
  type CreateEmbeddingResponse,
  type Embedding,
  type EmbeddingCreateParams,
  type Base64EmbeddingResponse,
  type Model,
  type ModelsPage,
} from '../../index.js';
export * from './chat/completions.js';
