// `routerkit/lib/RunnableFunction`: the tool runner's function types, as openai-node's. Its
// `RunnableToolFunction` and `RunnableTools` are not here: openai-node's take the arguments' type
// as their first parameter, routerkit's (in `routerkit/resources/chat/completions`) only the tool context.
export {
  ParsingToolFunction,
  type RunnableFunction,
  type RunnableFunctionWithParse,
  type RunnableFunctionWithoutParse,
  type RunnableToolFunctionWithParse,
  type RunnableToolFunctionWithoutParse,
} from '../index.js';
