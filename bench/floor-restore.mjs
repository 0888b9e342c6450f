// The bench's floor: the least a node program can do before its first start, so that the
// overhead figures say how far any node restorer could go on this machine. It is not a
// restorer and never shipped: node:net only (no http, no ws, nothing else loaded), one
// hand-written HTTP/1.1 request for kleened's container list, then POST /exec/create for the
// first listed container on the same connection; it exits when that is answered (the
// container is never started). It checks nothing and handles only what the bench's double
// sends (a Content-Length body), and says so when it gets anything else.
//   kleened_socket=/var/run/kleened.sock node bench/floor-restore.mjs
import net from 'node:net';

const socket = process.env.kleened_socket || '/var/run/kleened.sock';
const conn = net.connect({ path: socket });
let buf = '';
let listed = false;

const fail = (why) => {
  process.stderr.write(`floor: ${why}\n`);
  process.exit(1);
};

conn.on('error', (e) => fail(e.message));
conn.on('connect', () => conn.write('GET /containers/list?all=true HTTP/1.1\r\nHost: localhost\r\n\r\n'));
conn.setEncoding('latin1');
conn.on('data', (d) => {
  buf += d;
  const head = buf.indexOf('\r\n\r\n');
  if (head < 0) return;
  const header = buf.slice(0, head);
  const length = /\r\ncontent-length: *(\d+)/i.exec(header);
  if (!length) fail(`an answer without Content-Length: ${header.split('\r\n')[0]}`);
  const end = head + 4 + Number(length[1]);
  if (buf.length < end) return;
  const status = header.split(' ')[1];
  const body = buf.slice(head + 4, end);
  buf = buf.slice(end);
  if (listed) {
    if (status !== '201') fail(`exec/create answered ${status}: ${body}`);
    conn.end();
    process.exit(0);
  }
  listed = true;
  const list = JSON.parse(body);
  if (status !== '200' || !Array.isArray(list) || list.length === 0) fail(`containers/list answered ${status}: ${body.slice(0, 200)}`);
  const create = JSON.stringify({ container_id: list[0].id, cmd: [], env: [], user: '', tty: false });
  conn.write(`POST /exec/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(create)}\r\n\r\n${create}`);
});
