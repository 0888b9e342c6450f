// A minimal client for tests that talk to the kleened double directly (not the project's
// src/kleened client, which is what tests exercise; this one only drives the double).
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  /** parsed JSON, or undefined when the body is not JSON */
  json: any;
}

/** One HTTP request over the unix socket; `body` is sent as JSON (a string is sent verbatim). */
export function request(socket: string, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpRequest({
      socketPath: socket, method, path, timeout: timeoutMs,
      headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export interface ExecStartResult {
  /** text frames received before the close */
  messages: string[];
  /** the close code and reason; undefined when `timeoutMs` passed first (a hang) */
  close?: { code: number; reason: string };
  /** ms from sending the first frame to the close (or timeout) */
  ms: number;
}

/** Opens `/exec/start`, sends `firstFrame` (an object is JSON-encoded) and waits for the close
 * or `timeoutMs`; on timeout the connection is terminated and `close` is undefined. */
export function execStart(socket: string, firstFrame: unknown, timeoutMs = 3000): Promise<ExecStartResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${socket}:/exec/start`);
    const messages: string[] = [];
    let t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    ws.on('open', () => {
      t0 = Date.now();
      ws.send(typeof firstFrame === 'string' ? firstFrame : JSON.stringify(firstFrame));
      timer = setTimeout(() => {
        ws.terminate();
        resolve({ messages, ms: Date.now() - t0 });
      }, timeoutMs);
    });
    ws.on('message', (d) => messages.push(d.toString()));
    ws.on('close', (code, reason) => {
      if (timer) clearTimeout(timer);
      resolve({ messages, close: { code, reason: reason.toString() }, ms: Date.now() - t0 });
    });
    ws.on('error', reject);
  });
}

/** exec/create then exec/start (detached, start_container) for a container id or name. */
export async function startContainer(socket: string, container: string, timeoutMs = 3000): Promise<ExecStartResult & { createStatus: number }> {
  const created = await request(socket, 'POST', '/exec/create', { container_id: container, cmd: [], env: [], user: '', tty: false });
  if (created.status !== 201) return { createStatus: created.status, messages: [], ms: 0 };
  const r = await execStart(socket, { exec_id: created.json.id, attach: false, start_container: true }, timeoutMs);
  return { ...r, createStatus: created.status };
}
