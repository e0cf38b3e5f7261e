// `routerkit/resources/responses/index`.
export { Responses } from './responses.js';
