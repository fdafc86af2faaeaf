import { z } from 'zod';

/**
 * The JSON-Schema subset skills use for `input` and `output`. It is itself a zod schema, so a
 * skill file is validated in one pass, and it compiles to zod once at load time
 * (`compileJsonSchema`). Supported: object (properties, required, additionalProperties: false),
 * string (minLength, maxLength, pattern, format: email | uri | date | date-time, enum), number and
 * integer (minimum, maximum, enum), boolean, array (items, minItems, maxItems), null, plus
 * `description` and `default` everywhere.
 */
export interface JsonSchemaNode {
  type: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null' | 'any';
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchemaNode;
  minItems?: number;
  maxItems?: number;
  enum?: (string | number)[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'email' | 'uri' | 'date' | 'date-time';
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
}

export const JsonSchemaNodeSchema: z.ZodType<JsonSchemaNode> = z.lazy(() =>
  z
    .object({
      type: z.enum(['object', 'string', 'number', 'integer', 'boolean', 'array', 'null', 'any']),
      description: z.string().optional(),
      default: z.unknown().optional(),
      properties: z.record(z.string(), JsonSchemaNodeSchema).optional(),
      required: z.array(z.string()).optional(),
      additionalProperties: z.boolean().optional(),
      items: JsonSchemaNodeSchema.optional(),
      minItems: z.number().int().nonnegative().optional(),
      maxItems: z.number().int().nonnegative().optional(),
      enum: z
        .array(z.union([z.string(), z.number()]))
        .min(1)
        .optional(),
      minLength: z.number().int().nonnegative().optional(),
      maxLength: z.number().int().nonnegative().optional(),
      pattern: z.string().optional(),
      format: z.enum(['email', 'uri', 'date', 'date-time']).optional(),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      examples: z.array(z.unknown()).optional(),
    })
    .strict()
    .superRefine((node, ctx) => {
      if (node.required && node.type === 'object') {
        for (const r of node.required) {
          if (!node.properties?.[r]) {
            ctx.addIssue({
              code: 'custom',
              message: `required property "${r}" is not declared in properties`,
            });
          }
        }
      }
      if (node.pattern) {
        try {
          new RegExp(node.pattern, 'u');
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `pattern is not a valid regular expression: ${(err as Error).message}`,
          });
        }
      }
    }),
);

function withMeta<T extends z.ZodType>(schema: T, node: JsonSchemaNode): z.ZodType {
  let s: z.ZodType = schema;
  if (node.description) s = s.describe(node.description);
  return s;
}

/** Compiles a subset node to a zod schema. Objects are strict unless `additionalProperties: true`. */
export function compileJsonSchema(node: JsonSchemaNode): z.ZodType {
  let s: z.ZodType;
  switch (node.type) {
    case 'string': {
      if (node.enum) {
        s = z.enum(node.enum.map(String) as [string, ...string[]]);
        break;
      }
      let str =
        node.format === 'email'
          ? z.email()
          : node.format === 'uri'
            ? z.url()
            : node.format === 'date'
              ? z.iso.date()
              : node.format === 'date-time'
                ? z.iso.datetime({ offset: true })
                : z.string();
      if (node.minLength !== undefined) str = str.min(node.minLength);
      if (node.maxLength !== undefined) str = str.max(node.maxLength);
      if (node.pattern) str = str.regex(new RegExp(node.pattern, 'u'));
      s = str;
      break;
    }
    case 'number':
    case 'integer': {
      if (node.enum) {
        s = z.union(node.enum.map((v) => z.literal(Number(v))) as unknown as [z.ZodLiteral, z.ZodLiteral]);
        break;
      }
      let num = node.type === 'integer' ? z.number().int() : z.number();
      if (node.minimum !== undefined) num = num.min(node.minimum);
      if (node.maximum !== undefined) num = num.max(node.maximum);
      s = num;
      break;
    }
    case 'boolean':
      s = z.boolean();
      break;
    case 'null':
      s = z.null();
      break;
    case 'any':
      s = z.unknown();
      break;
    case 'array': {
      let arr = z.array(node.items ? compileJsonSchema(node.items) : z.unknown());
      if (node.minItems !== undefined) arr = arr.min(node.minItems);
      if (node.maxItems !== undefined) arr = arr.max(node.maxItems);
      s = arr;
      break;
    }
    case 'object': {
      const shape: Record<string, z.ZodType> = {};
      const required = new Set(node.required ?? []);
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const c = compileJsonSchema(child);
        shape[key] = required.has(key) || child.default !== undefined ? c : c.optional();
      }
      const obj = z.object(shape);
      s = node.additionalProperties ? obj.loose() : obj.strict();
      break;
    }
  }
  if (node.default !== undefined) s = s.default(node.default as never);
  return withMeta(s, node);
}

/** Formats zod issues as `field: message; field: message` for error messages. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`)
    .join('; ');
}
