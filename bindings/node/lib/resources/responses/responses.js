'use strict';
// `routerkit/resources/responses/responses`, as `openai/resources/responses/responses`: the
// resource class; the rest of that module is types (responses/responses.d.ts).
const { Responses } = require('../../responses');

exports.Responses = Responses;
