'use strict';
// `routerkit/resources/responses/index`, as `openai/resources/responses/index` (without its
// `InputItems`/`InputTokens` resources and the WebSocket client, which routerkit does not have).
const { Responses } = require('../../responses');

exports.Responses = Responses;
