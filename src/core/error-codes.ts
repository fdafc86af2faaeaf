/**
 * The catalogue of stable error codes. Every `SkillgateError` carries one of these codes; each
 * surface maps them once (HTTP status, JSON-RPC vs `isError`, chat message). Codes are part of
 * the public interface: never rename one, only add. `test/core/error-codes.test.ts` checks that
 * they are unique, well formed, and that every code thrown in `src/` is listed here.
 *
 * - `id`: UPPER_SNAKE identifier (unique), handy for metrics labels and logs.
 * - `category`: `user` (the caller can fix it), `system` (ours), `third_party` (a dependency).
 * - `http`: the status an HTTP surface answers with.
 * - `hint`: what a person should do about it (shown by the CLI and chat).
 */
export const ERROR_CODES = {
  'config.invalid': {
    id: 'CONFIG_INVALID',
    category: 'user',
    http: 500,
    hint: 'Fix the configuration file or environment variable named in the message.',
  },
  'skill.not_found': {
    id: 'SKILL_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the skill id with `skillgate skills list`.',
  },
  'skill.invalid': {
    id: 'SKILL_INVALID',
    category: 'user',
    http: 422,
    hint: 'Fix the skill file at the reported line; `skillgate skills validate` lists every problem.',
  },
  'skill.input_invalid': {
    id: 'SKILL_INPUT_INVALID',
    category: 'user',
    http: 400,
    hint: 'Correct the input fields named in the message; `skillgate skills show <id>` shows the schema.',
  },
  'skill.output_invalid': {
    id: 'SKILL_OUTPUT_INVALID',
    category: 'system',
    http: 500,
    hint: 'The skill returned data that does not match its declared output schema; fix the skill.',
  },
  'skill.disabled': {
    id: 'SKILL_DISABLED',
    category: 'user',
    http: 409,
    hint: 'The skill is deprecated or disabled; use the replacement named in the message.',
  },
  'skill.timeout': {
    id: 'SKILL_TIMEOUT',
    category: 'system',
    http: 504,
    hint: 'The skill ran longer than its timeout; retry later or raise `timeout_ms` in the skill.',
  },
  'skill.aborted': {
    id: 'SKILL_ABORTED',
    category: 'user',
    http: 499,
    hint: 'The run was cancelled before it finished.',
  },
  'skill.failed': {
    id: 'SKILL_FAILED',
    category: 'system',
    http: 502,
    hint: 'The skill failed while running; see the message and `skillgate runs show <run>`.',
  },
  'handler.unknown': {
    id: 'HANDLER_UNKNOWN',
    category: 'user',
    http: 422,
    hint: 'Use one of the handler types builtin, module, http, sql, pipeline.',
  },
  'handler.http_url_rejected': {
    id: 'HANDLER_HTTP_URL_REJECTED',
    category: 'user',
    http: 400,
    hint: 'The input tried to send the request outside the URL the skill allows; fix the input.',
  },
  'handler.http_failed': {
    id: 'HANDLER_HTTP_FAILED',
    category: 'third_party',
    http: 502,
    hint: 'The remote service answered with an error or could not be reached; check it and retry.',
  },
  'handler.sql_failed': {
    id: 'HANDLER_SQL_FAILED',
    category: 'system',
    http: 500,
    hint: 'A statement of the skill failed; check the skill SQL and its parameters.',
  },
  'handler.module_failed': {
    id: 'HANDLER_MODULE_FAILED',
    category: 'system',
    http: 500,
    hint: 'The skill module threw or exceeded its memory limit; see the message.',
  },
  'handler.command_failed': {
    id: 'HANDLER_COMMAND_FAILED',
    category: 'third_party',
    http: 502,
    hint: 'The configured command exited with an error; see its output in the run.',
  },
  'pipeline.invalid': {
    id: 'PIPELINE_INVALID',
    category: 'user',
    http: 422,
    hint: 'Fix the pipeline: every step must use a known skill and the steps must not form a cycle.',
  },
  'pipeline.step_failed': {
    id: 'PIPELINE_STEP_FAILED',
    category: 'system',
    http: 502,
    hint: 'A pipeline step failed; `skillgate runs show <run>` shows which and why.',
  },
  'policy.denied': {
    id: 'POLICY_DENIED',
    category: 'user',
    http: 403,
    hint: 'Ask an admin for a role that grants the missing permission.',
  },
  'policy.tenant_mismatch': {
    id: 'POLICY_TENANT_MISMATCH',
    category: 'user',
    http: 403,
    hint: 'The object belongs to another tenant.',
  },
  'auth.unknown_principal': {
    id: 'AUTH_UNKNOWN_PRINCIPAL',
    category: 'user',
    http: 401,
    hint: 'Add the principal to the configuration or link the chat identity to a principal.',
  },
  'auth.unauthorized': {
    id: 'AUTH_UNAUTHORIZED',
    category: 'user',
    http: 401,
    hint: 'Send a valid bearer token (`skillgate tokens create`).',
  },
  'rate.limited': {
    id: 'RATE_LIMITED',
    category: 'user',
    http: 429,
    hint: 'Too many requests; wait the number of seconds in the message and retry.',
  },
  'idempotency.key_reused': {
    id: 'IDEMPOTENCY_KEY_REUSED',
    category: 'user',
    http: 409,
    hint: 'This idempotency key was already used with a different input; use a new key.',
  },
  'idempotency.in_progress': {
    id: 'IDEMPOTENCY_IN_PROGRESS',
    category: 'user',
    http: 409,
    hint: 'The first request with this idempotency key is still running; retry shortly.',
  },
  'budget.exceeded': {
    id: 'BUDGET_EXCEEDED',
    category: 'user',
    http: 402,
    hint: 'A spending cap was reached; wait for it to reset or ask an admin to raise it.',
  },
  'approval.required': {
    id: 'APPROVAL_REQUIRED',
    category: 'user',
    http: 202,
    hint: 'The run waits for approval: `skillgate approvals approve <id>` by an approver.',
  },
  'approval.denied': {
    id: 'APPROVAL_DENIED',
    category: 'user',
    http: 403,
    hint: 'An approver denied this run; it will not execute.',
  },
  'approval.forbidden_by_policy': {
    id: 'APPROVAL_FORBIDDEN_BY_POLICY',
    category: 'user',
    http: 403,
    hint: 'The policy forbids this skill for your role; no approval can allow it.',
  },
  'approval.expired': {
    id: 'APPROVAL_EXPIRED',
    category: 'user',
    http: 410,
    hint: 'The approval expired before it was decided; run the request again.',
  },
  'approval.not_found': {
    id: 'APPROVAL_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the approval id with `skillgate approvals list`.',
  },
  'approval.not_pending': {
    id: 'APPROVAL_NOT_PENDING',
    category: 'user',
    http: 409,
    hint: 'This approval was already decided; nothing more to do.',
  },
  'approval.not_approver': {
    id: 'APPROVAL_NOT_APPROVER',
    category: 'user',
    http: 403,
    hint: 'Only principals with an approver role named in the approval may decide it.',
  },
  'approval.self_approval': {
    id: 'APPROVAL_SELF_APPROVAL',
    category: 'user',
    http: 403,
    hint: 'You requested this high-risk run; someone else must approve it.',
  },
  'approval.already_decided': {
    id: 'APPROVAL_ALREADY_DECIDED',
    category: 'user',
    http: 409,
    hint: 'You already decided this approval; another approver must add their decision.',
  },
  'approval.input_mismatch': {
    id: 'APPROVAL_INPUT_MISMATCH',
    category: 'system',
    http: 409,
    hint: 'The stored input no longer matches the approved hash; the run was refused.',
  },
  'run.not_found': {
    id: 'RUN_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the run id with `skillgate runs list`.',
  },
  'storage.unavailable': {
    id: 'STORAGE_UNAVAILABLE',
    category: 'system',
    http: 503,
    hint: 'The database cannot be reached; check DATABASE_URL or the data directory.',
  },
  'storage.migration_failed': {
    id: 'STORAGE_MIGRATION_FAILED',
    category: 'system',
    http: 500,
    hint: 'A migration failed and was rolled back; the schema is unchanged. See the message.',
  },
  'storage.backup_failed': {
    id: 'STORAGE_BACKUP_FAILED',
    category: 'system',
    http: 500,
    hint: 'The backup or restore failed; check the file path and the database connection.',
  },
  'audit.chain_broken': {
    id: 'AUDIT_CHAIN_BROKEN',
    category: 'system',
    http: 500,
    hint: 'The audit log was edited or entries were deleted; investigate the reported sequence.',
  },
  'resource.not_found': {
    id: 'RESOURCE_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'No record matches what you named (customer, invoice, ...); check the id or number and retry.',
  },
  'resource.conflict': {
    id: 'RESOURCE_CONFLICT',
    category: 'user',
    http: 409,
    hint: 'The record is not in a state that allows this (already paid, duplicate, ...); see the message.',
  },
  'ops.service_unknown': {
    id: 'OPS_SERVICE_UNKNOWN',
    category: 'user',
    http: 404,
    hint: 'Use one of the services listed in the message (configured under `services` in the config).',
  },
  'ops.service_not_configured': {
    id: 'OPS_SERVICE_NOT_CONFIGURED',
    category: 'user',
    http: 422,
    hint: 'Configure the missing command or hook for this service under `services` in the config.',
  },
  'ops.unhealthy': {
    id: 'OPS_UNHEALTHY',
    category: 'third_party',
    http: 502,
    hint: 'The service did not report healthy in time; check it with ops.service_status and its logs.',
  },
  'web.url_refused': {
    id: 'WEB_URL_REFUSED',
    category: 'user',
    http: 400,
    hint: 'Only http(s) URLs of public hosts can be fetched; private and loopback targets need `web.allow_private` / `web.allow_loopback` in the config.',
  },
  'request.invalid': {
    id: 'REQUEST_INVALID',
    category: 'user',
    http: 400,
    hint: 'The request is malformed; see the message for the field.',
  },
  'request.too_large': {
    id: 'REQUEST_TOO_LARGE',
    category: 'user',
    http: 413,
    hint: 'The request body is larger than the configured limit.',
  },
  'request.host_not_allowed': {
    id: 'REQUEST_HOST_NOT_ALLOWED',
    category: 'user',
    http: 403,
    hint: 'Use an address listed in `server.allowed_hosts`, or add this host there (DNS-rebinding protection).',
  },
  'request.origin_not_allowed': {
    id: 'REQUEST_ORIGIN_NOT_ALLOWED',
    category: 'user',
    http: 403,
    hint: 'Browser requests must come from an origin listed in `server.cors_origins` (or from the server itself).',
  },
  'token.not_found': {
    id: 'TOKEN_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the token name with `skillgate tokens list`.',
  },
  'token.name_taken': {
    id: 'TOKEN_NAME_TAKEN',
    category: 'user',
    http: 409,
    hint: 'Token names are unique; choose another name or revoke the old token first.',
  },
  'request.not_found': {
    id: 'REQUEST_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'No such endpoint; see the README for the routes the server offers.',
  },
  'server.listen_failed': {
    id: 'SERVER_LISTEN_FAILED',
    category: 'system',
    http: 500,
    hint: 'The address is in use or not available; choose another with --port / --host (or SKILLGATE_PORT).',
  },
  'library.unsupported_type': {
    id: 'LIBRARY_UNSUPPORTED_TYPE',
    category: 'user',
    http: 415,
    hint: 'The library ingests plain text, markdown and PDF; convert the file or pass its text.',
  },
  'library.too_large': {
    id: 'LIBRARY_TOO_LARGE',
    category: 'user',
    http: 413,
    hint: 'The document is larger than `library.max_bytes`; split it or raise the limit in the config.',
  },
  'library.empty': {
    id: 'LIBRARY_EMPTY',
    category: 'user',
    http: 422,
    hint: 'The document has no text to index (a scanned PDF has only images); pass a document with text.',
  },
  'library.not_found': {
    id: 'LIBRARY_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the document id with `library.list`, or the file path.',
  },
  'library.path_not_allowed': {
    id: 'LIBRARY_PATH_NOT_ALLOWED',
    category: 'user',
    http: 403,
    hint: 'Put the file under $SKILLGATE_HOME/attachments, or add its folder to `library.allowed_paths`.',
  },
  'embedding.failed': {
    id: 'EMBEDDING_FAILED',
    category: 'third_party',
    http: 502,
    hint: 'The embedding provider failed or returned vectors of the wrong size; check `embeddings` in the config.',
  },
  'embedding.reindex_interrupted': {
    id: 'EMBEDDING_REINDEX_INTERRUPTED',
    category: 'user',
    http: 499,
    hint: 'The reindex stopped between batches (Ctrl-C); nothing was lost. Run `skillgate reindex` again to resume.',
  },
  'code.parse_failed': {
    id: 'CODE_PARSE_FAILED',
    category: 'user',
    http: 422,
    hint: 'The code does not parse in the language given; fix the syntax error at the reported line and column.',
  },
  'code.unsupported_language': {
    id: 'CODE_UNSUPPORTED_LANGUAGE',
    category: 'user',
    http: 422,
    hint: 'Use one of the languages listed in the message.',
  },
  'code.toolchain_missing': {
    id: 'CODE_TOOLCHAIN_MISSING',
    category: 'system',
    http: 501,
    hint: 'Install the compiler or interpreter named in the message (or choose another language/backend).',
  },
  'code.sandbox_limit': {
    id: 'CODE_SANDBOX_LIMIT',
    category: 'user',
    http: 422,
    hint: 'The program exceeded a sandbox limit (time, CPU, memory or output); make it terminate sooner or use less.',
  },
  'code.spec_invalid': {
    id: 'CODE_SPEC_INVALID',
    category: 'user',
    http: 422,
    hint: 'Fix the function spec at the reported path (types, statements, expressions); see skills/code/README.md.',
  },
  'code.restriction_set_invalid': {
    id: 'CODE_RESTRICTION_SET_INVALID',
    category: 'user',
    http: 422,
    hint: 'Fix the restriction set file at the reported path; see skills/code/README.md for the schema.',
  },
  'code.restriction_set_not_found': {
    id: 'CODE_RESTRICTION_SET_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Use a preset id or a set added with `skillgate restrictions add`; `skillgate restrictions list` shows them.',
  },
  'code.contract_not_found': {
    id: 'CODE_CONTRACT_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Use a contract id from skills/code/contracts/ (fibonacci_basic, slugify, fizzbuzz, gcd, ...).',
  },
  'code.samples_required': {
    id: 'CODE_SAMPLES_REQUIRED',
    category: 'user',
    http: 422,
    hint: 'Pass `samples` (code generated by your own model), or configure a model for sampling.',
  },
  'provenance.invalid': {
    id: 'PROVENANCE_INVALID',
    category: 'user',
    http: 422,
    hint: 'The manifest signature or an artifact hash does not match: the build output was changed or is incomplete.',
  },
  'llm.provider_failed': {
    id: 'LLM_PROVIDER_FAILED',
    category: 'third_party',
    http: 502,
    hint: 'The model provider failed (timeouts, rate limits or errors) even after retries and the fallback model; check `models` in the config and the provider status.',
  },
  'agent.plan_invalid': {
    id: 'AGENT_PLAN_INVALID',
    category: 'system',
    http: 422,
    hint: 'The planner could not produce a valid plan within its attempts; rephrase the request or name the skill.',
  },
  'agent.run_not_found': {
    id: 'AGENT_RUN_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the agent run id (it starts with `agt_`).',
  },
  'job.not_found': {
    id: 'JOB_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the job id with `skillgate jobs list` (ids start with `job_`).',
  },
  'job.invalid_state': {
    id: 'JOB_INVALID_STATE',
    category: 'user',
    http: 409,
    hint: 'The job is not in a state that allows this; `skillgate jobs show <id>` shows its state.',
  },
  'job.interrupted': {
    id: 'JOB_INTERRUPTED',
    category: 'system',
    http: 409,
    hint: 'The run stopped mid-way (crash or shutdown) and its skill is not idempotent, so it was not re-run: check its effects, then `skillgate jobs retry <id>` or `skillgate jobs cancel <id>`.',
  },
  'webhook.not_found': {
    id: 'WEBHOOK_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'No enabled webhook has this id; `skillgate webhooks list` shows the configured ones.',
  },
  'webhook.signature_malformed': {
    id: 'WEBHOOK_SIGNATURE_MALFORMED',
    category: 'user',
    http: 400,
    hint: 'Send `X-Skillgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{raw body}">`.',
  },
  'webhook.signature_invalid': {
    id: 'WEBHOOK_SIGNATURE_INVALID',
    category: 'user',
    http: 401,
    hint: "The signature does not match the webhook's secret; sign `{t}.{raw body}` with the current secret.",
  },
  'webhook.signature_expired': {
    id: 'WEBHOOK_SIGNATURE_EXPIRED',
    category: 'user',
    http: 410,
    hint: 'The signature timestamp is outside the accepted window (300 s by default); sign the request again.',
  },
  'webhook.payload_invalid': {
    id: 'WEBHOOK_PAYLOAD_INVALID',
    category: 'user',
    http: 400,
    hint: 'Send a JSON object or multipart/form-data; check the payload transform of the webhook.',
  },
  'webhook.attachment_rejected': {
    id: 'WEBHOOK_ATTACHMENT_REJECTED',
    category: 'user',
    http: 415,
    hint: 'The attachment type or content is not allowed (`webhooks.attachments.allowed_types`).',
  },
  'schedule.not_found': {
    id: 'SCHEDULE_NOT_FOUND',
    category: 'user',
    http: 404,
    hint: 'Check the schedule id with `skillgate schedule list` (ids start with `sch_`).',
  },
  'schedule.invalid': {
    id: 'SCHEDULE_INVALID',
    category: 'user',
    http: 400,
    hint: 'Give a valid cron expression (5 or 6 fields) with an IANA time zone, or an ISO-8601 `run_at`.',
  },
  'secrets.invalid': {
    id: 'SECRETS_INVALID',
    category: 'user',
    http: 400,
    hint: 'Name a configured connector (`connectors` in the config) and give a value for each secret.',
  },
  'internal.error': {
    id: 'INTERNAL_ERROR',
    category: 'system',
    http: 500,
    hint: 'An unexpected error; the log has details under the request id.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export interface ErrorCodeInfo {
  id: string;
  category: 'user' | 'system' | 'third_party';
  http: number;
  hint: string;
}

export type ErrorCode = keyof typeof ERROR_CODES;
