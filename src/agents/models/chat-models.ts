import type { wrapLanguageModel } from 'ai';
import {
  AGENT_ROLES,
  type AgentRole,
  type ModelRef,
  type ModelsConfig,
} from '../../core/config/models-config.js';
import { SkillgateError } from '../../core/errors.js';
import { lazyLanguageModel } from './lazy-model.js';

/** An AI SDK language model object (specification v3). */
export type ChatLanguageModel = Parameters<typeof wrapLanguageModel>[0]['model'];

/** A chat model ready for the agent loop. */
export interface ChatModel {
  model: ChatLanguageModel;
  /** The model id as priced in `models.prices` (`gpt-4o-mini`). */
  id: string;
  /** `openai:gpt-4o-mini`: shown in traces and written to the budget ledger. */
  name: string;
}

/** The models of each role, and the fallback; a role without a model runs offline. */
export type RoleModels = Partial<Record<AgentRole | 'fallback', ChatModel>>;

export interface ChatModelOptions {
  /** Reads a secret by env name (env, then `$SKILLGATE_HOME/secrets/.env`). Default `process.env`. */
  secret?: (name: string) => string | undefined;
  /** A fetch implementation (tests, proxies). */
  fetch?: typeof fetch;
}

function requireKey(ref: ModelRef, env: string, secret: (n: string) => string | undefined): string {
  const key = secret(env);
  if (!key) {
    throw new SkillgateError(
      'config.invalid',
      `models: the ${ref.provider} key for ${ref.model} is missing (set ${env}).`,
      {
        env,
      },
    );
  }
  return key;
}

/**
 * Builds one chat model from its config entry. The only place that imports chat providers: the
 * key is checked here (a missing one throws `config.invalid` at once), but the provider package is
 * imported on the model's first call, so a process that never calls a model never loads it.
 */
export function createChatModel(ref: ModelRef, options: ChatModelOptions = {}): ChatModel {
  const secret = options.secret ?? ((n: string) => process.env[n]);
  const name = `${ref.provider}:${ref.model}`;
  const lazy = (provider: string, load: () => Promise<ChatLanguageModel>): ChatModel => ({
    model: lazyLanguageModel(provider, ref.model, load),
    id: ref.model,
    name,
  });
  if (ref.provider === 'openai') {
    const apiKey = requireKey(ref, ref.api_key_env ?? 'OPENAI_API_KEY', secret);
    const responses = ref.api === 'responses';
    return lazy(responses ? 'openai.responses' : 'openai.chat', async () => {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ apiKey, baseURL: ref.base_url, fetch: options.fetch });
      return responses ? provider.responses(ref.model) : provider.chat(ref.model);
    });
  }
  if (ref.provider === 'anthropic') {
    const apiKey = requireKey(ref, ref.api_key_env ?? 'ANTHROPIC_API_KEY', secret);
    return lazy('anthropic.messages', async () => {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ apiKey, baseURL: ref.base_url, fetch: options.fetch })(ref.model);
    });
  }
  const apiKey = ref.api_key_env ? secret(ref.api_key_env) : undefined;
  return lazy('openai-compatible.chat', async () => {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    const provider = createOpenAICompatible({
      name: 'openai-compatible',
      baseURL: ref.base_url!,
      apiKey,
      supportsStructuredOutputs: ref.structured_outputs,
      includeUsage: true,
      fetch: options.fetch,
    });
    return provider.chatModel(ref.model);
  });
}

/**
 * The models of every role from `models:` (a role's own entry, else `default`) and the fallback.
 * Returns an empty object when nothing is configured: the loop then runs offline.
 */
export function createRoleModels(config: ModelsConfig, options: ChatModelOptions = {}): RoleModels {
  const out: RoleModels = {};
  const cache = new Map<string, ChatModel>();
  const build = (ref: ModelRef) => {
    const key = JSON.stringify(ref);
    let m = cache.get(key);
    if (!m) {
      m = createChatModel(ref, options);
      cache.set(key, m);
    }
    return m;
  };
  for (const role of AGENT_ROLES) {
    const ref = config[role] ?? config.default;
    if (ref) out[role] = build(ref);
  }
  if (config.fallback) out.fallback = build(config.fallback);
  return out;
}
