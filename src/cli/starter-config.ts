/**
 * The commented starter `skillgate.config.yaml` that `skillgate init` writes. It must load with
 * `loadConfig` as it is (`test/cli/init.test.ts` checks). `{{port}}` is replaced by the port.
 */
export const STARTER_CONFIG = `# Skillgate configuration, written by \`skillgate init\`.
#
# Every key is optional: what is not set keeps its default. Environment variables override this file:
#   SKILLGATE_HOME (data directory), DATABASE_URL (use Postgres instead of the embedded database),
#   SKILLGATE_HOST, SKILLGATE_PORT, SKILLGATE_LOG_LEVEL, SKILLGATE_CONFIG (another config file).
# Invalid values stop Skillgate at start with this file's name, the key's path and the reason.

# Data directory: the embedded database (pgdata/), secrets/.env, attachments. Relative to the
# directory Skillgate is started from.
# home: ./.skillgate

# Postgres with pgvector for teams and several replicas. Prefer the DATABASE_URL env var, so the
# password stays out of this file.
# database_url: postgres://skillgate:secret@127.0.0.1:5432/skillgate

# The embedded database. shared_buffers is its cache: 16MB keeps a laptop server small; raise it
# (512MB) for 100k+ memories or 10k+ skills so that vector searches stay in memory. wasm_tier:
# baseline (small and quick to start) or optimizing (faster large vector searches, ~80 MB more).
# pglite:
#   shared_buffers: 16MB
#   wasm_tier: baseline

log_level: info            # fatal | error | warn | info | debug | trace | silent
tenant: default            # the tenant of the CLI and of principals without one
local_principal: local     # who the CLI acts as, unless --as says otherwise

server:
  host: 127.0.0.1          # 0.0.0.0 to accept connections from other machines (e.g. in Docker)
  port: {{port}}
  body_limit_bytes: 1048576
  # Host headers the server answers to (DNS-rebinding protection). Add your public name here.
  allowed_hosts: [127.0.0.1, localhost, "[::1]"]

# Roles grant permissions (<pack>.<effect>, with * wildcards) up to a maximum risk. The roles viewer,
# operator, admin and approver always exist (see the README); define more or redefine them here.
roles:
  support:
    description: Support staff - read customers and invoices, send payment reminders
    permissions: [crm.read, invoices.read, invoices.external]
    max_risk: medium

# Who may do what. Chat identities and API tokens map to these ids.
principals:
  local:
    display_name: Local user
    roles: [admin]
  alice:
    display_name: Alice (operator)
    roles: [operator]
    email: alice@example.com
  bob:
    display_name: Bob (approver)
    roles: [approver]
    email: bob@example.com

# Per-skill policy overrides (skill id or glob); later entries win.
policies:
  # Every payment reminder needs a second pair of eyes, whoever sends it.
  - skill: invoices.send_reminder
    approval: require
    approvers: [approver, admin]
  # Operators' customer edits wait for an approver (admins' do not).
  - skill: crm.update_customer
    roles: [operator]
    approval: require
  # Viewers may never restart services, not even with an approval.
  - skill: ops.restart_service
    roles: [viewer]
    approval: deny

# Approvals: who decides, how many, for how long. High-risk runs always need someone other than
# the requester, unless a policy says allow_self_approval: true.
approval:
  approver_roles: [approver, admin]
  expires_in: 24h
  quorum: 1
  require_for_risk: [high]   # write/delete/external skills of these risks need approval

# Spending caps in USD, checked before a run and recorded after it (LLM tokens, paid APIs).
budgets:
  per_request_usd: 1
  tenant: { daily_usd: 50, monthly_usd: 500 }
  user: { daily_usd: 10, monthly_usd: 100 }
  users:
    alice: { daily_usd: 5, monthly_usd: 50 }

rate_limits:
  per_principal: { burst: 30, per_second: 5 }
  per_skill: { burst: 100, per_second: 20 }

idempotency_ttl: 24h

# Services the ops.* skills check, restart and deploy. Commands are argv lists (no shell).
# This example points at Skillgate itself, and its commands only print what they would do.
services:
  skillgate:
    description: This Skillgate server
    health_url: http://127.0.0.1:{{port}}/healthz
    restart_command: [node, -e, "console.log('restart requested: nothing to do in the demo')"]
    deploy_command: [node, -e, "console.log('deploy requested: nothing to deploy in the demo')"]
    rollback_command: [node, -e, "console.log('rollback requested: nothing to roll back')"]
    timeout_ms: 10000

# Connectors: where skills read and send data. Secrets are named by env var only; put their values
# in the environment or in $SKILLGATE_HOME/secrets/.env, never in this file.
connectors:
  outbox:
    type: outbox
    description: Outbound messages (payment reminders) queued in the outbox table
  # warehouse:
  #   type: postgres
  #   dsn_env: SKILLGATE_WAREHOUSE_DSN
  # crm_api:
  #   type: http
  #   base_url: https://crm.example.com/api
  #   secrets: [SKILLGATE_CRM_API_TOKEN]

# Extra skill pack folders, besides the shipped skills/.
skills_dirs: []

# Reload skill files when they change while \`skillgate serve\` runs.
hot_reload: true
`;

/** The starter config with the server port (default 7410) and, if given, the data directory filled in. */
export function starterConfig(options: { port?: number; home?: string } = {}): string {
  const text = STARTER_CONFIG.replaceAll('{{port}}', String(options.port ?? 7410));
  return options.home ? text.replace('# home: ./.skillgate', `home: ${JSON.stringify(options.home)}`) : text;
}
