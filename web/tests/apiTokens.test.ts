import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createToken, listTokens, revokeToken, setAuthHandlers } from '../src/api';
import { useApiTokens, validateTokenDays, validateTokenName } from '../src/lib/apiTokens';
import { session } from '../src/session';

function reply(status: number, body?: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const older = { id: 'tok-1', name: 'backup', createdAt: '2025-01-01T10:00:00Z', expiresAt: '2025-04-01T10:00:00Z' };
const made = { token: 'flt_secret123', id: 'tok-2', name: 'nightly', createdAt: '2025-02-01T10:00:00Z', expiresAt: '2025-05-02T10:00:00Z' };

describe('API tokens', () => {
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    setAuthHandlers({ unauthorized: vi.fn(), passwordChangeRequired: vi.fn() });
    session.token = 'session-token';
  });
  afterEach(() => vi.unstubAllGlobals());

  it('calls the three operations with the session token', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { tokens: [older] }));
    expect(await listTokens()).toEqual({ tokens: [older] });
    fetchMock.mockResolvedValueOnce(reply(201, made));
    expect(await createToken('nightly', 30)).toEqual(made);
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(revokeToken('tok/2')).resolves.toBeUndefined();
    const calls = fetchMock.mock.calls.map(([path, init]) => [path, init.method, init.headers.Authorization]);
    expect(calls).toEqual([
      ['/api/me/tokens', 'GET', 'Bearer session-token'],
      ['/api/me/tokens', 'POST', 'Bearer session-token'],
      ['/api/me/tokens/tok%2F2', 'DELETE', 'Bearer session-token'],
    ]);
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ name: 'nightly', days: 30 });
  });

  it('leaves days out when not given', async () => {
    fetchMock.mockResolvedValueOnce(reply(201, made));
    await createToken('nightly');
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ name: 'nightly' });
  });

  it('checks the form as the server does', () => {
    expect(validateTokenName('nightly')).toBeUndefined();
    expect(validateTokenName('   ')).toMatch(/Name the token/);
    expect(validateTokenName('x'.repeat(64))).toBeUndefined();
    expect(validateTokenName('x'.repeat(65))).toMatch(/64/);
    expect(validateTokenDays('90')).toBeUndefined();
    expect(validateTokenDays('0')).toMatch(/1 to 365/);
    expect(validateTokenDays('366')).toMatch(/1 to 365/);
    expect(validateTokenDays('1.5')).toMatch(/whole number/);
  });

  it('shows a new token once, then lists it without the secret', async () => {
    const t = useApiTokens();
    fetchMock.mockResolvedValueOnce(reply(200, { tokens: [older] }));
    await t.load();
    expect(t.state.tokens).toEqual([older]);

    fetchMock.mockResolvedValueOnce(reply(201, made));
    expect(await t.create('  nightly ', '30')).toBe(true);
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ name: 'nightly', days: 30 });
    expect(t.state.created?.token).toBe('flt_secret123');
    // Newest first, and the list never holds the secret.
    expect(t.state.tokens.map((x) => x.name)).toEqual(['nightly', 'backup']);
    expect(t.state.tokens[0]).not.toHaveProperty('token');
    expect(JSON.stringify(t.state.tokens)).not.toContain('flt_');

    t.dismiss();
    expect(t.state.created).toBeNull();
    expect(JSON.stringify(t.state)).not.toContain('flt_');

    // A reload lists it from the server, still without the secret.
    fetchMock.mockResolvedValueOnce(reply(200, { tokens: [{ ...made, token: undefined }, older] }));
    await t.load();
    expect(t.state.tokens[0]).toEqual({ id: 'tok-2', name: 'nightly', createdAt: made.createdAt, expiresAt: made.expiresAt });
  });

  it('the next action forgets the shown secret', async () => {
    const t = useApiTokens();
    fetchMock.mockResolvedValueOnce(reply(201, made));
    await t.create('nightly', '90');
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await t.revoke(older);
    expect(t.state.created).toBeNull();
  });

  it('shows the server\'s message by the field on a 400', async () => {
    const t = useApiTokens();
    fetchMock.mockResolvedValueOnce(reply(400, { error: { code: 'invalid_input', message: 'a token named "nightly" already exists' } }));
    expect(await t.create('nightly', '90')).toBe(false);
    expect(t.state.errors.name).toBe('A token named "nightly" already exists.');
    expect(t.state.errors.days).toBeUndefined();
    expect(t.state.created).toBeNull();
    expect(t.state.tokens).toEqual([]);

    fetchMock.mockResolvedValueOnce(reply(400, { error: { code: 'invalid_input', message: 'days must be 1 to 365' } }));
    await t.create('nightly', '90');
    expect(t.state.errors).toEqual({ name: undefined, days: 'Days must be 1 to 365.' });
  });

  it('does not call the server with a form it would refuse', async () => {
    const t = useApiTokens();
    expect(await t.create('', '400')).toBe(false);
    expect(t.state.errors.name).toMatch(/Name the token/);
    expect(t.state.errors.days).toMatch(/1 to 365/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('revoking removes the token from the list', async () => {
    const t = useApiTokens();
    fetchMock.mockResolvedValueOnce(reply(200, { tokens: [made, older].map(({ id, name, createdAt, expiresAt }) => ({ id, name, createdAt, expiresAt })) }));
    await t.load();
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await t.revoke(t.state.tokens[0]);
    expect(fetchMock.mock.calls[1][0]).toBe('/api/me/tokens/tok-2');
    expect(fetchMock.mock.calls[1][1].method).toBe('DELETE');
    expect(t.state.tokens.map((x) => x.id)).toEqual(['tok-1']);
    expect(t.state.success).toMatch(/nightly.*revoked/);
    expect(t.state.revoking).toBeNull();
  });

  it('a token already gone leaves the list too; other failures keep it', async () => {
    const t = useApiTokens();
    fetchMock.mockResolvedValueOnce(reply(200, { tokens: [older] }));
    await t.load();
    fetchMock.mockResolvedValueOnce(reply(500, { error: { code: 'server_error', message: 'boom' } }));
    await t.revoke(older);
    expect(t.state.tokens).toHaveLength(1);
    expect(t.state.failure).toMatch(/problem on its side/);
    fetchMock.mockResolvedValueOnce(reply(404, { error: { code: 'not_found', message: 'no such token' } }));
    await t.revoke(older);
    expect(t.state.tokens).toEqual([]);
    expect(t.state.success).toMatch(/already revoked/);
  });
});
