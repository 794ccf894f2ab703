/**
 * A tool's input schema for the Messages API, generated from the zod schema that checks the
 * model's answer: what the model is told to send and what is accepted from it cannot drift
 * apart. Refinements across fields (zod `.refine`) have no JSON Schema form; say them in the
 * tool's description.
 */
import { z } from 'zod';

/** The JSON Schema of a tool's input, as the Messages API takes it (`input_schema`). */
export type ToolInputSchema = {
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
  additionalProperties: boolean;
};

export function toolInputSchema(schema: z.ZodObject): ToolInputSchema {
  // The input side: what the model must send, before zod's defaults and transforms.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return {
    ...json,
    type: 'object',
    properties: (json.properties ?? {}) as Record<string, unknown>,
    required: (json.required ?? []) as string[],
    additionalProperties: json.additionalProperties !== false,
  };
}
