'use strict';
// `routerkit/lib/RunnableFunction`, as `openai/lib/RunnableFunction`: the tool runner's function
// types (RunnableFunction.d.ts) and its one class.
const { ParsingToolFunction } = require('./runner');

exports.ParsingToolFunction = ParsingToolFunction;
