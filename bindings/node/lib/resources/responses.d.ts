// `routerkit/resources/responses`.
export * from './responses/index.js';
