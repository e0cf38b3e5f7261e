// `routerkit/resources/embeddings`.
export { Embeddings, type CreateEmbeddingResponse, type Embedding, type EmbeddingCreateParams, type Base64EmbeddingResponse } from '../../index.js';
