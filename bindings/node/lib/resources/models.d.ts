// `routerkit/resources/models`.
export { Models, type Model, type ModelsPage } from '../../index.js';
