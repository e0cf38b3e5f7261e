// `routerkit/resources` and `routerkit/resources/index`: the resource classes and their types.
export {
  Chat,
  Embeddings,
  Models,
  type CreateEmbeddingResponse,
  type Embedding,
  type EmbeddingCreateParams,
  type Base64EmbeddingResponse,
  type Model,
  type ModelsPage,
} from '../../index.js';
export * from './chat/completions.js';
