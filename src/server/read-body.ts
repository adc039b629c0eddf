/**
 * Reads a request body up to a limit. A body announced (Content-Length) or
 * found larger than the limit is refused before it is buffered: the caller
 * answers 413 and the connection is closed, so an attacker cannot make the
 * bot hold megabytes per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyReading = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' };

export function readLimitedBody(req: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading; what is still arriving is dropped with the connection once the 413 is sent.
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        resolve({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

/** Answers 413 and closes the connection (the rest of the body is never read). */
export function refuseTooLarge(res: ServerResponse, maxBytes: number): void {
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: `payload too large (at most ${maxBytes} bytes)` }));
}
