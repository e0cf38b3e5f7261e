// `routerkit/streaming`, as `openai/streaming`.
export { Stream } from '../index.js';
