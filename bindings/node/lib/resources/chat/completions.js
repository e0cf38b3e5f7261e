'use strict';
// `routerkit/resources/chat/completions`, as `openai/resources/chat/completions`.
const { Completions } = require('../../client');
const { ChatCompletionStream } = require('../../streaming');

exports.Completions = Completions;
exports.ChatCompletionStream = ChatCompletionStream;
