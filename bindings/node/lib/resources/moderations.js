'use strict';
// `routerkit/resources/moderations`, as `openai/resources/moderations`.
const { Moderations } = require('../client');

exports.Moderations = Moderations;
