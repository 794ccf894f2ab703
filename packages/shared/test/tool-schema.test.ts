import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toolInputSchema } from '../src/model/tool-schema.ts';

describe('toolInputSchema', () => {
  it('is the JSON Schema of what the model must send, without a dialect', () => {
    const schema = z
      .object({
        verdict: z.enum(['yes', 'no']).describe('the answer'),
        confidence: z.number().min(0).max(1),
        // A default makes the field optional for the sender, though the parsed value always has it.
        note: z.string().default(''),
      })
      .strict();
    expect(toolInputSchema(schema)).toEqual({
      type: 'object',
      properties: {
        verdict: { type: 'string', enum: ['yes', 'no'], description: 'the answer' },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        note: { type: 'string', default: '' },
      },
      required: ['verdict', 'confidence'],
      additionalProperties: false,
    });
  });

  it('allows unknown keys only where zod does', () => {
    expect(toolInputSchema(z.object({ a: z.string() })).additionalProperties).toBe(true);
    expect(toolInputSchema(z.object({}).strict())).toEqual({
      type: 'object',
      properties: {},
      required: [],
      additionalProperties: false,
    });
  });
});
