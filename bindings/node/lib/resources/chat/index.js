'use strict';
// `routerkit/resources/chat/index`, as `openai/resources/chat/index`.
const { Chat, Completions } = require('../../client');

exports.Chat = Chat;
exports.Completions = Completions;
