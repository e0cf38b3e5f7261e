'use strict';
// `routerkit/resources/embeddings`, as `openai/resources/embeddings`.
const { Embeddings } = require('../client');

exports.Embeddings = Embeddings;
