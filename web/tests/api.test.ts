import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  changePassword,
  confirmEmail,
  createUpload,
  deleteAccount,
  deleteAnalysis,
  enrolFace,
  faceLogin,
  faceStatus,
  getAuthSettings,
  listAnalyses,
  login,
  me,
  register,
  removeFace,
  setAuthHandlers,
  uploadFromUrl,
} from '../src/api';
import { ApiError } from '../src/lib/errors';
import { session } from '../src/session';

function reply(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('api', () => {
  const unauthorized = vi.fn();
  const passwordChangeRequired = vi.fn();
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    setAuthHandlers({ unauthorized, passwordChangeRequired });
    session.token = 'tok';
    unauthorized.mockReset();
    passwordChangeRequired.mockReset();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends the bearer token and parses JSON', async () => {
    fetchMock.mockResolvedValue(reply(200, { username: 'alice' }));
    expect(await me()).toEqual({ username: 'alice' });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/me');
    expect(init.headers.Authorization).toBe('Bearer tok');
  });

  it('signs in without a token, and a wrong password is not an ended session', async () => {
    fetchMock.mockResolvedValue(reply(401, { error: { code: 'invalid_credentials', message: 'no' } }));
    await expect(login('alice', 'x')).rejects.toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBeUndefined();
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ username: 'alice', password: 'x' });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('reads Retry-After on too many attempts', async () => {
    fetchMock.mockResolvedValue(reply(429, { error: { code: 'too_many_attempts', message: '' } }, { 'Retry-After': '120' }));
    await expect(login('alice', 'x')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 120 });
  });

  it('a 401 on a signed-in call ends the session', async () => {
    fetchMock.mockResolvedValue(reply(401, { error: { code: 'unauthorized', message: 'expired' } }));
    await expect(me()).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized).toHaveBeenCalledOnce();
  });

  it('deletes the account with the password in the body', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(deleteAccount('my password')).resolves.toBeUndefined();
    const [path, init] = fetchMock.mock.calls[0];
    expect([path, init.method]).toEqual(['/api/me', 'DELETE']);
    expect(JSON.parse(init.body)).toEqual({ password: 'my password' });
    expect(init.headers['Content-Type']).toBe('application/json');
  });

  it('a wrong password when deleting the account does not end the session', async () => {
    fetchMock.mockResolvedValue(reply(401, { error: { code: 'invalid_credentials', message: 'wrong' } }));
    await expect(deleteAccount('x')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('a wrong current password does not end the session', async () => {
    fetchMock.mockResolvedValue(reply(401, { error: { code: 'invalid_credentials', message: 'wrong' } }));
    await expect(changePassword('a', 'b')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('sends the user to change the password when the server asks', async () => {
    fetchMock.mockResolvedValue(reply(403, { error: { code: 'password_change_required', message: '' } }));
    await expect(listAnalyses(null, null)).rejects.toMatchObject({ code: 'password_change_required' });
    expect(passwordChangeRequired).toHaveBeenCalledOnce();
  });

  it('builds the history query and accepts empty 204 answers', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { items: [], nextCursor: null, counts: {} }));
    await listAnalyses('all_masked', 'c1', 5);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/analyses?category=all_masked&cursor=c1&limit=5');
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(deleteAnalysis('a/b')).resolves.toBeUndefined();
    expect(fetchMock.mock.calls[1][0]).toBe('/api/analyses/a%2Fb');
    expect(fetchMock.mock.calls[1][1].method).toBe('DELETE');
  });

  it('turns a non-JSON failure into an error with a code from the status', async () => {
    fetchMock.mockResolvedValue(new Response('<html>bad gateway</html>', { status: 502 }));
    await expect(me()).rejects.toMatchObject({ code: 'server_error', status: 502 });
  });

  it('sends a reference for a comparison, and none otherwise', async () => {
    fetchMock.mockImplementation(async () => reply(201, { analysisId: 'a1' }));
    await createUpload('group.jpg', 'image/jpeg', 1234, 'ref-1');
    await createUpload('plain.jpg', 'image/jpeg', 99);
    await uploadFromUrl('https://example.org/g.jpg', 'ref-1');
    await uploadFromUrl('https://example.org/p.jpg');
    const bodies = fetchMock.mock.calls.map(([, init]) => JSON.parse(init.body));
    expect(fetchMock.mock.calls.map(([path]) => path)).toEqual(['/api/uploads', '/api/uploads', '/api/uploads/from-url', '/api/uploads/from-url']);
    expect(bodies).toEqual([
      { filename: 'group.jpg', contentType: 'image/jpeg', size: 1234, reference: 'ref-1' },
      { filename: 'plain.jpg', contentType: 'image/jpeg', size: 99 },
      { url: 'https://example.org/g.jpg', reference: 'ref-1' },
      { url: 'https://example.org/p.jpg' },
    ]);
  });

  it('face sign-in goes without a token, and a face that does not match is not an ended session', async () => {
    fetchMock.mockResolvedValue(reply(401, { error: { code: 'face_not_recognised', message: 'the face does not match' } }));
    await expect(faceLogin('alice', ['data:image/jpeg;base64,AAA', 'BBB'])).rejects.toMatchObject({ code: 'face_not_recognised', status: 401 });
    const [path, init] = fetchMock.mock.calls[0];
    expect([path, init.method]).toEqual(['/api/auth/face', 'POST']);
    expect(init.headers.Authorization).toBeUndefined();
    expect(JSON.parse(init.body)).toEqual({ username: 'alice', captures: ['data:image/jpeg;base64,AAA', 'BBB'] });
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('sign-up: settings, the form and the confirmation go without a token', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { signUp: 'open' }));
    expect(await getAuthSettings()).toEqual({ signUp: 'open' });
    // 202 with an empty body, whether the email was free or taken.
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 202 }));
    await expect(register('dora', 'dora@example.org', 'a long passphrase')).resolves.toBeUndefined();
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(confirmEmail('tok-123')).resolves.toBeUndefined();
    const calls = fetchMock.mock.calls.map(([path, init]) => [path, init.method, init.headers.Authorization, init.body && JSON.parse(init.body)]);
    expect(calls).toEqual([
      ['/api/auth/settings', 'GET', undefined, undefined],
      ['/api/auth/register', 'POST', undefined, { username: 'dora', email: 'dora@example.org', password: 'a long passphrase' }],
      ['/api/auth/confirm', 'POST', undefined, { token: 'tok-123' }],
    ]);
  });

  it('sign-up refusals are errors with their codes, never an ended session', async () => {
    fetchMock.mockResolvedValueOnce(reply(409, { error: { code: 'username_taken', message: 'this username is taken; choose another' } }));
    await expect(register('admin', 'a@example.org', 'a long passphrase')).rejects.toMatchObject({ status: 409, code: 'username_taken' });
    fetchMock.mockResolvedValueOnce(reply(429, { error: { code: 'too_many_attempts', message: 'wait' } }, { 'Retry-After': '60' }));
    await expect(register('dora', 'dora@example.org', 'a long passphrase')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 60 });
    fetchMock.mockResolvedValueOnce(reply(400, { error: { code: 'invalid_token', message: 'this link is invalid, used or expired; ask for a new one' } }));
    await expect(confirmEmail('used')).rejects.toMatchObject({ status: 400, code: 'invalid_token' });
    fetchMock.mockResolvedValueOnce(reply(403, { error: { code: 'email_not_confirmed', message: 'confirm your email address' } }));
    await expect(login('dora', 'a long passphrase')).rejects.toMatchObject({ status: 403, code: 'email_not_confirmed' });
    expect(unauthorized).not.toHaveBeenCalled();
    expect(passwordChangeRequired).not.toHaveBeenCalled();
  });

  it('reads, enrols and removes the caller\'s face', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { enrolled: false }));
    expect(await faceStatus()).toEqual({ enrolled: false });
    fetchMock.mockResolvedValueOnce(reply(200, { enrolled: true }));
    expect(await enrolFace('data:image/jpeg;base64,AAA')).toEqual({ enrolled: true });
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(removeFace()).resolves.toBeUndefined();
    const calls = fetchMock.mock.calls.map(([path, init]) => [path, init.method, init.headers.Authorization, init.body && JSON.parse(init.body)]);
    expect(calls).toEqual([
      ['/api/me/face', 'GET', 'Bearer tok', undefined],
      ['/api/me/face', 'PUT', 'Bearer tok', { capture: 'data:image/jpeg;base64,AAA' }],
      ['/api/me/face', 'DELETE', 'Bearer tok', undefined],
    ]);
  });
});
