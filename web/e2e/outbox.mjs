// Reads the emails `facelens serve` writes as .eml files under <data-dir>/outbox/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseHeaders(block) {
  const headers = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function splitPart(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { headers: parseHeaders(raw), body: '' };
  return { headers: parseHeaders(raw.slice(0, m.index)), body: raw.slice(m.index + m[0].length) };
}

function decodeBody(headers, body) {
  const enc = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** Plain text of a message: the text/plain part if multipart, else the body (HTML tags dropped). */
export function messageText(raw) {
  const { headers, body } = splitPart(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    const decoded = parts.map((p) => {
      const part = splitPart(p.replace(/^\r?\n/, ''));
      return { type: part.headers['content-type'] ?? 'text/plain', text: decodeBody(part.headers, part.body), headers: part.headers };
    });
    const plain = decoded.find((p) => /text\/plain/i.test(p.type)) ?? decoded.find((p) => /text\/html/i.test(p.type));
    if (plain?.type && /multipart\//i.test(plain.type)) return messageText(`Content-Type: ${plain.type}\r\n\r\n${plain.text}`);
    return plain ? stripHtml(plain.text, plain.type) : '';
  }
  return stripHtml(decodeBody(headers, body), type);
}

function stripHtml(text, type) {
  if (!/html/i.test(type)) return text;
  return text.replace(/<a [^>]*href="([^"]+)"[^>]*>/gi, ' $1 ').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&');
}

export function readOutbox(dataDir) {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.eml'))
    .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime)
    .map(({ path }) => {
      const raw = readFileSync(path, 'utf8');
      const { headers } = splitPart(raw);
      return { path, to: headers.to ?? '', subject: headers.subject ?? '', text: messageText(raw) };
    });
}

export function emailsTo(dataDir, address) {
  return readOutbox(dataDir).filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
}

/** Waits for an email to `address` whose text matches `pattern`, ignoring the ones in `seen`. */
export async function waitForEmail(dataDir, address, pattern = /./, { seen = [], timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const old = new Set(seen.map((m) => m.path));
  for (;;) {
    const hit = emailsTo(dataDir, address)
      .filter((m) => !old.has(m.path) && pattern.test(m.text))
      .pop();
    if (hit) return hit;
    if (Date.now() > deadline) {
      const seen = readOutbox(dataDir).map((m) => `${m.to} / ${m.subject}`).join('; ') || 'none';
      throw new Error(`no email to ${address} matching ${pattern} within ${timeoutMs} ms (outbox: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function linksIn(text) {
  return [...text.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)].map((m) => m[0].replace(/[.,;]+$/, ''));
}

/** The one-time password in a welcome email: the value after a "password" label. */
export function oneTimePasswordIn(text) {
  const m =
    /(?:one[- ]time|temporary|initial)[^\n:]*password[^\n:]*:\s*[`"']?([^\s`"']+)/i.exec(text) ??
    /password[^\n:]*:\s*[`"']?([^\s`"']+)/i.exec(text) ??
    /password(?: is)?\s+[`"']?([^\s`"']{8,})/i.exec(text);
  return m?.[1];
}

/** The reset token in an emailed link (`...#/reset?token=...` or `?token=`). */
export function resetTokenIn(text) {
  for (const link of linksIn(text)) {
    const m = /[?&]token=([^&#\s]+)/.exec(link);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}
