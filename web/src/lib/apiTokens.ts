// Personal API tokens (the "API tokens" part of the account page): what the page knows and
// does, apart from how it looks, so it can be tested without a browser. A new token's secret is
// kept only in `created` until the next thing the person does; the list never has it.
import { reactive } from 'vue';
import { createToken, listTokens, revokeToken } from '../api';
import { ApiError, messageFor } from './errors';
import type { CreatedToken, TokenView } from './types';

export const TOKEN_NAME_MAX = 64;
export const TOKEN_DAYS = { min: 1, max: 365, default: 90 } as const;

export function validateTokenName(value: string): string | undefined {
  const name = value.trim();
  if (!name) return 'Name the token, for example after the script that uses it.';
  if (name.length > TOKEN_NAME_MAX) return `Use at most ${TOKEN_NAME_MAX} characters.`;
  return undefined;
}

export function validateTokenDays(value: string): string | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < TOKEN_DAYS.min || Number(text) > TOKEN_DAYS.max)
    return `Enter a whole number of days from ${TOKEN_DAYS.min} to ${TOKEN_DAYS.max}.`;
  return undefined;
}

export interface TokenCalls {
  listTokens: typeof listTokens;
  createToken: typeof createToken;
  revokeToken: typeof revokeToken;
}

export interface TokensState {
  tokens: TokenView[];
  loaded: boolean;
  loadError: string;
  /** The token just made, with its secret: shown once, forgotten at the next action. */
  created: CreatedToken | null;
  errors: { name?: string; days?: string };
  failure: string;
  success: string;
  busy: boolean;
  /** The id of the token being revoked. */
  revoking: string | null;
}

/** What is listed of a token: never its secret, even when given one. */
function listed(t: TokenView | CreatedToken): TokenView {
  return { id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt };
}

export function useApiTokens(calls: TokenCalls = { listTokens, createToken, revokeToken }) {
  const state = reactive<TokensState>({
    tokens: [],
    loaded: false,
    loadError: '',
    created: null,
    errors: {},
    failure: '',
    success: '',
    busy: false,
    revoking: null,
  });

  function clearMessages() {
    state.created = null;
    state.failure = '';
    state.success = '';
  }

  async function load(): Promise<void> {
    state.loadError = '';
    try {
      state.tokens = (await calls.listTokens()).tokens.map(listed);
      state.loaded = true;
    } catch (e) {
      state.loadError = `Could not load your tokens. ${messageFor(e)}`;
    }
  }

  /** Makes a token; true when it was made (its secret is then in `state.created`). */
  async function create(name: string, days: string): Promise<boolean> {
    clearMessages();
    state.errors = { name: validateTokenName(name), days: validateTokenDays(days) };
    if (state.errors.name || state.errors.days) return false;
    state.busy = true;
    try {
      const made = await calls.createToken(name.trim(), Number(days.trim()));
      state.created = made;
      state.tokens = [listed(made), ...state.tokens.filter((t) => t.id !== made.id)];
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_input') {
        const message = messageFor(e);
        if (/\bdays?\b/i.test(e.message)) state.errors.days = message;
        else state.errors.name = message;
      } else state.failure = messageFor(e);
      return false;
    } finally {
      state.busy = false;
    }
  }

  async function revoke(token: TokenView): Promise<void> {
    clearMessages();
    state.revoking = token.id;
    try {
      await calls.revokeToken(token.id);
      state.success = `The token “${token.name}” is revoked: it no longer works.`;
      state.tokens = state.tokens.filter((t) => t.id !== token.id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not_found') {
        state.success = `The token “${token.name}” was already revoked.`;
        state.tokens = state.tokens.filter((t) => t.id !== token.id);
      } else state.failure = messageFor(e);
    } finally {
      state.revoking = null;
    }
  }

  /** Forgets the shown secret ("I have copied it"). */
  function dismiss() {
    state.created = null;
  }

  return { state, load, create, revoke, dismiss };
}
