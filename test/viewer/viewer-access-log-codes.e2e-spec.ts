import request from 'supertest';
import { startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  req?: { id: string };
  res?: { statusCode: number; code?: string };
}

/**
 * The viewer answers a refusal as an HTML page, not a JSON problem; its access line still names the refusal's
 * code (`code`, `res.code` and the end of `msg`), as every warning and error line of the log does.
 */
describe('viewer: the access line of a refusal names its code', () => {
  let api: ApiTestApp;
  const written: string[] = [];
  const accessLineOf = (id: string): LogLine => {
    const lines = written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    const [line] = lines.filter((l) => l.req?.id === id && l.res !== undefined);
    return line;
  };

  beforeAll(async () => {
    api = await startApiTestApp({ logDestination: { write: (chunk: string) => void written.push(chunk) } });
  });
  afterAll(async () => api.close());

  it.each([
    ['an unknown address', () => request(api.http).get('/viewer/nope'), 404, 'ROUTE.NOT_FOUND'],
    ['a page the role may not open', () => request(api.http).get(`/viewer/studies/${STUDY}/audit-trail`).set('Cookie', `tl_viewer_session=${api.tokens.coordinator}`), 403, 'AUTH.ROLE_NOT_ALLOWED'],
    ['a sign-in form without its CSRF token', () => request(api.http).post('/viewer/login').type('form').send({ username: 'mona', password: 'x' }), 403, 'VIEWER.CSRF_TOKEN_INVALID'],
  ] as const)('%s: the status and its code', async (_what, send, status, code) => {
    const response = await send().set('X-Correlation-Id', `viewer-${status}-${code}`).expect(status);
    expect(response.type).toBe('text/html');
    const line = accessLineOf(`viewer-${status}-${code}`);
    expect(line).toMatchObject({ level: 40, code, res: { statusCode: status, code } });
    expect(line.msg).toMatch(new RegExp(` ${status} \\d+ ms ${code.replace('.', '\\.')}$`));
  });

  it.each([
    ['a wrong password', { username: 'mona', password: 'not the passphrase 1' }, 401, 'AUTH.INVALID_CREDENTIALS'],
    ['an empty form', { username: '', password: '' }, 400, 'VIEWER.FORM_INCOMPLETE'],
  ])('the sign-in form shown again after %s: the status and its code', async (_what, fields, status, code) => {
    const form = await request(api.http).get('/viewer/login').expect(200);
    const pre = [form.headers['set-cookie'] ?? []].flat()[0].split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const id = `viewer-login-${status}`;
    await request(api.http).post('/viewer/login').set('Cookie', pre).set('X-Correlation-Id', id).type('form').send({ _csrf: csrf, ...fields }).expect(status);
    expect(accessLineOf(id)).toMatchObject({ code, res: { statusCode: status, code } });
  });

  it('the password form shown again after two new passwords that differ: 400 VIEWER.PASSWORDS_DIFFER', async () => {
    const form = await request(api.http).get('/viewer/password').expect(200);
    const pre = [form.headers['set-cookie'] ?? []].flat()[0].split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const fields = { username: 'mona', currentPassword: 'monitor passphrase 0001', newPassword: 'a new passphrase 0001', confirmPassword: 'a new passphrase 0002' };
    await request(api.http).post('/viewer/password').set('Cookie', pre).set('X-Correlation-Id', 'viewer-password-400').type('form').send({ _csrf: csrf, ...fields }).expect(400);
    expect(accessLineOf('viewer-password-400')).toMatchObject({ code: 'VIEWER.PASSWORDS_DIFFER', res: { statusCode: 400, code: 'VIEWER.PASSWORDS_DIFFER' } });
  });
});
