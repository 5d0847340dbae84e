import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { z } from 'zod';
import { scopeOf } from '../auth/tokenScopes.ts';
import type { Meta } from '../trpc.ts';
import { PROCEDURE_OUTPUTS } from './outputs.ts';

/**
 * The OpenAPI 3.1 document of the procedures an API token may call, generated from the router: each
 * procedure's access rule (its meta) says whether it is listed, its zod input schema is its request
 * (zod's own JSON Schema export: OpenAPI 3.1 schemas are JSON Schema 2020-12), and its documented
 * answer (outputs.ts) its response. Paths are tRPC's own HTTP shape — no second API to keep in step:
 * a mutation is `POST /trpc/<path>` with the input as the JSON body, a query `GET /trpc/<path>?input=<JSON>`,
 * and the answer `{"result":{"data":…}}` (an error: `{"error":…}` with the HTTP status of its code).
 */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

/** Who the document is for: a procedure is listed when a token with the right scope may call it. */
export function tokenMayCall(path: string): boolean {
  return scopeOf(path) !== null;
}

type JsonSchema = Record<string, unknown>;

/** The tRPC error codes a client may see, with their HTTP status (as tRPC's HTTP adapter maps them). */
const ERROR_STATUSES: ReadonlyArray<[string, string, string]> = [
  ['400', 'BAD_REQUEST', 'The input is not valid: the message names the field or key; nothing was written.'],
  ['401', 'UNAUTHORIZED', 'No token, or it is not valid or was revoked.'],
  ['403', 'FORBIDDEN', 'The token may not call this, or a mutation was not sent as application/json.'],
  ['404', 'NOT_FOUND', 'No such ticket (or flow) in your organization.'],
  ['409', 'CONFLICT', 'The ticket moved first; `error.data.details.fresh` holds it now.'],
  ['413', 'PAYLOAD_TOO_LARGE', 'The body is larger than 1 MiB.'],
  ['422', 'UNPROCESSABLE_CONTENT', 'This idempotency key was already used for a different request.'],
  ['429', 'TOO_MANY_REQUESTS', 'Too many requests: try again after `Retry-After` seconds.'],
  ['503', 'SERVICE_UNAVAILABLE', 'The database cannot be reached: try again after `Retry-After` seconds.'],
];

const ErrorBody = z.strictObject({
  error: z.strictObject({
    message: z.string(),
    code: z.number().int().meta({ description: 'The JSON-RPC code of the error.' }),
    data: z.object({
      code: z.enum(ERROR_STATUSES.map(([, code]) => code) as [string, ...string[]]),
      httpStatus: z.number().int(),
      path: z.string().optional(),
      zodIssues: z
        .array(z.strictObject({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'Each problem of an invalid input: the field or key, and what is wrong.' }),
      details: z
        .unknown()
        .optional()
        .meta({ description: 'Detail to act on (the fresh ticket on CONFLICT).' }),
      retryAfterSeconds: z.number().int().optional(),
    }),
  }),
});

/**
 * A schema as JSON Schema for the document. A `SafeRecord` (a check, then a record) is shown as its
 * record; `$defs` the export makes (recursive parts) move to the components, as OpenAPI resolves `#/…`
 * from the document's root.
 */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output', defs: Record<string, unknown>): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; in?: z.ZodType; out?: z.ZodType };
      if (io === 'input' && def.type === 'pipe' && def.in?._zod.def.type === 'custom' && def.out) {
        const { $schema: _, ...record } = z.toJSONSchema(def.out, {
          io,
          unrepresentable: 'any',
        }) as JsonSchema;
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, record);
      }
    },
  }) as JsonSchema;
  const { $schema: _, $defs, ...rest } = json;
  for (const [name, value] of Object.entries(($defs as Record<string, unknown> | undefined) ?? {}))
    defs[name] = rewriteRefs(value);
  return rewriteRefs(rest) as JsonSchema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
        ? `#/components/schemas/${v.slice('#/$defs/'.length)}`
        : rewriteRefs(v);
  }
  return out;
}

/** The document for the router, addressed at `serverUrl`. */
export function openApiDocument(
  router: AnyTRPCRouter,
  options: { serverUrl: string; version: string },
): OpenApiDocument {
  const schemas: Record<string, unknown> = {};
  const paths: OpenApiDocument['paths'] = {};
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  for (const path of Object.keys(procedures).sort()) {
    const procedure = procedures[path];
    if (!procedure) continue;
    const def = procedure._def as { type: string; meta?: Meta; inputs: unknown[] };
    // A live stream (subscription) is not a request and answer: it is not an operation.
    if (!tokenMayCall(path) || (def.type !== 'query' && def.type !== 'mutation')) continue;
    const input = def.inputs[0] as z.ZodType | undefined;
    const inputSchema = input ? jsonSchemaOf(input, 'input', schemas) : null;
    const output = PROCEDURE_OUTPUTS[path];
    let data: JsonSchema = { description: 'The procedure’s answer.' };
    if (output) {
      const id = (z.globalRegistry.get(output)?.id as string | undefined) ?? path;
      if (!(id in schemas)) {
        // A schema with an id comes back as a reference to itself in `$defs` (hoisted above).
        const schema = jsonSchemaOf(output, 'output', schemas);
        if (!(id in schemas)) schemas[id] = schema;
      }
      data = { $ref: `#/components/schemas/${id}` };
    }
    const properties = (inputSchema?.properties ?? {}) as Record<string, unknown>;
    const required = (inputSchema?.required ?? []) as string[];
    // A procedure whose input takes an optional key also reads it from the header (`intakeKeyOf`).
    const keyHeader = 'idempotencyKey' in properties && !required.includes('idempotencyKey');
    const isMutation = def.type === 'mutation';
    const call = isMutation
      ? `POST /trpc/${path} with the input as the JSON body (content-type: application/json).`
      : `GET /trpc/${path}?input=<the input as JSON, URL-encoded>.`;
    const operation: Record<string, unknown> = {
      operationId: path,
      tags: [path.split('.')[0] ?? path],
      summary: typeof inputSchema?.title === 'string' ? inputSchema.title : path,
      description: [
        `Needs a token with the scope \`${scopeOf(path)}\`.`,
        `Call it as tRPC does over HTTP: ${call}`,
        'The answer is `{"result":{"data":…}}`; an error is `{"error":{"message","code","data":{"code","httpStatus",…}}}` with the HTTP status of its code.',
        keyHeader
          ? 'Idempotent: send a unique `Idempotency-Key` (header, or `idempotencyKey` in the input); a retry with it gets the first answer and writes nothing, and the key on another request is refused with 422.'
          : '',
        typeof inputSchema?.description === 'string' ? inputSchema.description : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
      security: [{ apiToken: [] }],
      parameters: [
        ...(keyHeader
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  '8 to 128 characters, unique per request (a UUID does). Same as `idempotencyKey`.',
                schema: { type: 'string', minLength: 8, maxLength: 128 },
              },
            ]
          : []),
        ...(!isMutation && inputSchema
          ? [
              {
                name: 'input',
                in: 'query',
                required: required.length > 0,
                description: 'The input as JSON.',
                content: { 'application/json': { schema: inputSchema } },
              },
            ]
          : []),
      ],
      ...(isMutation && inputSchema
        ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema } } } }
        : {}),
      responses: {
        '200': {
          description: 'The answer, in tRPC’s envelope.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['result'],
                additionalProperties: false,
                properties: {
                  result: {
                    type: 'object',
                    required: ['data'],
                    additionalProperties: false,
                    properties: { data },
                  },
                },
              },
            },
          },
        },
        ...Object.fromEntries(
          ERROR_STATUSES.map(([status, code, what]) => [
            status,
            {
              description: `${code}: ${what}`,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
    paths[`/trpc/${path}`] = { [isMutation ? 'post' : 'get']: operation };
  }
  schemas.Error = jsonSchemaOf(ErrorBody, 'output', schemas);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stepwise API',
      version: options.version,
      description: [
        'The procedures an organization API token may call. Send the token as `Authorization: Bearer sw_…`',
        '(an admin creates one under Admin → API tokens). Every input is checked before anything is written:',
        'an unknown key or a bad value is a 400 that names it, and nothing is written.',
      ].join(' '),
    },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An organization API token (`sw_…`), shown once when an admin creates it.',
        },
      },
    },
  };
}
