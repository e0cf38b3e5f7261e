// `routerkit/resources/moderations`: the moderations resource and its types.
export { Moderations, type Moderation, type ModerationCreateParams, type ModerationCreateResponse } from '../../index.js';
