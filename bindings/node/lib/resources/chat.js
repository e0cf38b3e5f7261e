'use strict';
// `routerkit/resources/chat`, as `openai/resources/chat`.
const { Chat, Completions } = require('../client');

exports.Chat = Chat;
exports.Completions = Completions;
