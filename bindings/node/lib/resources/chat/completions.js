'use strict';
// `routerkit/resources/chat/completions`, as `openai/resources/chat/completions`.
const { Completions } = require('../../client');
const { ChatCompletionStream } = require('../../streaming');

exports.Completions = Completions;
exports.ChatCompletionStream = ChatCompletionStream;
const runner = require('../../runner');
exports.ChatCompletionRunner = runner.ChatCompletionRunner;
exports.ChatCompletionStreamingRunner = runner.ChatCompletionStreamingRunner;
exports.ParsingToolFunction = runner.ParsingToolFunction;
