// `routerkit/helpers/zod`, as `openai/helpers/zod`: zod schemas as strict response formats, text
// formats and function tools whose answers `parse` returns as the schema's output type.
import type {
  AutoParseableResponseFormat,
  AutoParseableResponseTool,
  AutoParseableTextFormat,
  AutoParseableTool,
} from '../../index.js';

/** Any zod 4 schema (or `zod/v4` of zod 3.25): its output type is what `parse` gives. */
type ZodTypeLike = { _zod: { output: unknown } } | { _output: unknown };
type InferZodType<T> = T extends { _zod: { output: infer O } } ? O : T extends { _output: infer O } ? O : never;

export declare function zodResponseFormat<ZodInput extends ZodTypeLike>(
  zodObject: ZodInput,
  name: string,
  props?: { description?: string; [key: string]: unknown },
): AutoParseableResponseFormat<InferZodType<ZodInput>>;

export declare function zodTextFormat<ZodInput extends ZodTypeLike>(
  zodObject: ZodInput,
  name: string,
  props?: { description?: string; [key: string]: unknown },
): AutoParseableTextFormat<InferZodType<ZodInput>>;

export declare function zodFunction<Parameters extends ZodTypeLike>(options: {
  name: string;
  parameters: Parameters;
  function?: ((args: InferZodType<Parameters>) => unknown | Promise<unknown>) | undefined;
  description?: string | undefined;
}): AutoParseableTool<InferZodType<Parameters>>;

export declare function zodResponsesFunction<Parameters extends ZodTypeLike>(options: {
  name: string;
  parameters: Parameters;
  function?: ((args: InferZodType<Parameters>) => unknown | Promise<unknown>) | undefined;
  description?: string | undefined;
}): AutoParseableResponseTool<InferZodType<Parameters>>;
