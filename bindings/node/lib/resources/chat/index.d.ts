// `routerkit/resources/chat/index`.
export { Chat } from '../../../index.js';
export * from './completions.js';
