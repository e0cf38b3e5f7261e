'use strict';
// `routerkit/resources/responses`, as `openai/resources/responses`.
const { Responses } = require('../responses');

exports.Responses = Responses;
