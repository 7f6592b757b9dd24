import * as z from "../zod";

/** A tool input's JSON Schema as Claude takes it (`input_schema`): the accepted input, without `$schema`. */
export function toolInputSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  return jsonSchema;
}
