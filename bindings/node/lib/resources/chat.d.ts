// `routerkit/resources/chat`.
export * from './chat/index.js';
