'use strict';
// `routerkit/resources/models`, as `openai/resources/models`.
const { Models } = require('../client');

exports.Models = Models;
