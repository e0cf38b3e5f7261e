// Compiled by `tsc --noEmit` (not run): structured outputs written for openai-node type-check,
// `parsed` typed by the zod schema.
import OpenAI, { LengthFinishReasonError, ContentFilterFinishReasonError, OutputValidationError } from 'routerkit';
import { zodResponseFormat, zodFunction, zodTextFormat } from 'routerkit/helpers/zod';
import { z } from 'zod';

const Step = z.object({ explanation: z.string(), output: z.string() });
const MathReasoning = z.object({ steps: z.array(Step), final_answer: z.string() });

export async function parsed(client: OpenAI): Promise<void> {
  const completion = await client.chat.completions.parse({
    model: 'm',
    messages: [{ role: 'user', content: 'solve 8x + 31 = 2' }],
    response_format: zodResponseFormat(MathReasoning, 'math_reasoning'),
  });
  const message = completion.choices[0]?.message;
  if (message?.parsed) {
    const answer: string = message.parsed.final_answer;
    const first: string | undefined = message.parsed.steps[0]?.explanation;
    void [answer, first];
  }
  const refusal: string | null | undefined = message?.refusal;
  void refusal;
  const tool = zodFunction({ name: 'get_weather', parameters: z.object({ city: z.string() }) });
  const withTools = await client.beta.chat.completions.parse({ model: 'm', messages: [], tools: [tool] });
  void withTools.choices[0]?.message.tool_calls?.[0]?.function.parsed_arguments;
  const response = await client.responses.parse({ model: 'm', input: 'x', text: { format: zodTextFormat(MathReasoning, 'm') } });
  const out: string | undefined = response.output_parsed?.final_answer;
  void out;
  const stream = client.responses.stream({ model: 'm', input: 'x', text: { format: zodTextFormat(MathReasoning, 'm') } });
  const streamed: string | undefined = (await stream.finalResponse()).output_parsed?.final_answer;
  void streamed;
  const plain = await client.responses.stream({ model: 'm', input: 'x' }).finalResponse();
  void plain.output_text;
  try {
    await client.chat.completions.parse({ model: 'm', messages: [] });
  } catch (e) {
    if (e instanceof LengthFinishReasonError || e instanceof ContentFilterFinishReasonError) void e.message;
    if (e instanceof OutputValidationError) void [e.code, e.param];
  }
}
