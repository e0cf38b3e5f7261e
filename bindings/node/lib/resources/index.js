'use strict';
// `routerkit/resources` and `routerkit/resources/index`, as openai-node's: the resource classes.
const { Chat, Embeddings, Models, TextCompletions, Moderations } = require('../client');

exports.Chat = Chat;
exports.Embeddings = Embeddings;
exports.Models = Models;
exports.Completions = TextCompletions;
exports.Moderations = Moderations;
