'use strict';
// `routerkit/resources/completions`, as `openai/resources/completions`: the legacy completions
// resource (openai-node's `Completions` there is this one, not chat's).
const { TextCompletions } = require('../client');

exports.Completions = TextCompletions;
