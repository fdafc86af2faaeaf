import { z } from 'zod';

export const ScalarTypeSchema = z.enum(['int', 'float', 'bool', 'string']);
export type ScalarType = z.infer<typeof ScalarTypeSchema>;
export const ValueTypeSchema = z.enum(['int', 'float', 'bool', 'string', 'int[]', 'float[]', 'bool[]']);
export type ValueType = z.infer<typeof ValueTypeSchema>;

const IdentSchema = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'names are lower_snake_case identifiers');
/** An expression in the spec language; YAML numbers and booleans are accepted as their text. */
const ExprTextSchema = z.union([z.string().min(1), z.number(), z.boolean()]).transform((v) => String(v));

type ExprText = string | number | boolean;
export type StatementInput =
  | { let: string; type?: ValueType; value: ExprText }
  | { set: string; value: ExprText }
  | { if: ExprText; then: StatementInput[]; else?: StatementInput[] }
  | { for: string; from: ExprText; to: ExprText; step?: number; do: StatementInput[] }
  | { while: ExprText; max_iterations: number; do: StatementInput[] }
  | { return: ExprText };

export type Statement =
  | { let: string; type?: ValueType; value: string }
  | { set: string; value: string }
  | { if: string; then: Statement[]; else?: Statement[] }
  | { for: string; from: string; to: string; step?: number; do: Statement[] }
  | { while: string; max_iterations: number; do: Statement[] }
  | { return: string };

export const StatementSchema: z.ZodType<Statement, StatementInput> = z.lazy(() =>
  z.union([
    z.object({ let: IdentSchema, type: ValueTypeSchema.optional(), value: ExprTextSchema }).strict(),
    z.object({ set: IdentSchema, value: ExprTextSchema }).strict(),
    z
      .object({
        if: ExprTextSchema,
        // biome-ignore lint/suspicious/noThenProperty: `then` is the spec language's if-branch
        then: z.array(StatementSchema).min(1),
        else: z.array(StatementSchema).min(1).optional(),
      })
      .strict(),
    z
      .object({
        for: IdentSchema,
        from: ExprTextSchema,
        to: ExprTextSchema,
        step: z.number().int().positive().max(1_000_000).optional(),
        do: z.array(StatementSchema).min(1),
      })
      .strict(),
    z
      .object({
        while: ExprTextSchema,
        max_iterations: z.number().int().positive().max(1_000_000_000),
        do: z.array(StatementSchema).min(1),
      })
      .strict(),
    z.object({ return: ExprTextSchema }).strict(),
  ]),
);

/** A test value: integers (numbers or decimal strings for 64-bit values), floats, booleans, ASCII strings, arrays. */
export const TestValueSchema: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.number(), z.boolean(), z.string().max(10_000), z.array(TestValueSchema).max(10_000)]),
);

export const TestVectorSchema = z
  .object({
    /** Positional (`[12, 18]`) or by name (`{a: 12, b: 18}`). */
    args: z.union([z.array(TestValueSchema), z.record(z.string(), TestValueSchema)]),
    expect: TestValueSchema,
  })
  .strict();
export type TestVector = z.infer<typeof TestVectorSchema>;

/**
 * A function spec (YAML or JSON): one function, typed parameters and result, a body in the spec
 * language and test vectors. Validation of names, types and expressions is completed by
 * `checkSpec` (`code.spec_invalid` with the path of the problem).
 */
export const FunctionSpecSchema = z
  .object({
    name: IdentSchema,
    description: z.string().optional(),
    params: z
      .array(z.object({ name: IdentSchema, type: ValueTypeSchema }).strict())
      .max(16)
      .default([]),
    returns: ScalarTypeSchema,
    body: z.array(StatementSchema).min(1),
    tests: z.array(TestVectorSchema).min(1).max(1000),
    /** Sandbox limits for running the tests (compilation has its own, larger limits). */
    limits: z
      .object({
        timeout_ms: z.number().int().positive().max(60_000).optional(),
        memory_mb: z.number().int().min(16).max(4096).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type FunctionSpec = z.infer<typeof FunctionSpecSchema>;
export type FunctionSpecInput = z.input<typeof FunctionSpecSchema>;
