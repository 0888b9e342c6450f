// The test helpers behind the double: openapi.ts (contract checks) and sim-state.ts (builders).
import t from 'tap';
import { join } from 'node:path';
import { assertInSpec, findOperation, requestProblems } from '../helpers/openapi.ts';
import { containerId, idForName, makeState, readState, simTempDir, writeState } from '../helpers/sim-state.ts';
import { parseAddress, parseConfig } from './kleened/main.mjs';

t.test('findOperation matches templated paths and prefers literal segments', async (t) => {
  t.equal(findOperation('GET', '/volumes/list')?.template, '/volumes/list');
  t.equal(findOperation('DELETE', '/volumes/list')?.template, '/volumes/{volume_name}');
  t.same(findOperation('POST', '/containers/web/stop?x=1')?.params, { container_id: 'web' });
  t.equal(findOperation('GET', '/containers/web/stop'), undefined, 'wrong method');
  t.equal(findOperation('GET', '/_ping'), undefined);
});

t.test('assertInSpec accepts the requests kleene-boot needs', async (t) => {
  t.doesNotThrow(() => assertInSpec('GET', '/containers/list?all=true'));
  t.doesNotThrow(() => assertInSpec('POST', '/containers/abc/update', { restart_policy: 'on-startup', cmd: null, name: null, persist: null }));
  t.doesNotThrow(() => assertInSpec('POST', '/exec/create', { container_id: 'abc', cmd: [], env: [], user: '', tty: false }));
  t.doesNotThrow(() => assertInSpec('GET', '/exec/start', { exec_id: 'e', attach: false, start_container: true }));
});

t.test('assertInSpec names unknown keys, wrong types, bad enums and query values', async (t) => {
  t.throws(() => assertInSpec('GET', '/containers/list?al=true'), /query al: unknown parameter/);
  t.throws(() => assertInSpec('GET', '/containers/list?all=yes'), /query all: expected true or false/);
  const problems = requestProblems('POST', '/exec/create', { container_id: 1, cmd: 'ls', tty: false, extra: true });
  t.same(problems, [
    'body /container_id: expected a string',
    'body /cmd: expected an array',
    'body /extra: unknown key (known: cmd, container_id, env, tty, user)',
  ]);
  t.match(requestProblems('POST', '/containers/x/update', { restart_policy: 'always' })[0], /"always" is not one of "no", "on-startup"/);
  t.match(requestProblems('POST', '/containers/x/update', { network_driver: null })[0], /null is not allowed/);
  t.match(requestProblems('GET', '/exec/start', { exec_id: 'e' }), [/attach: required key missing/]);
  t.match(requestProblems('GET', '/nowhere')[0], /no such operation/);
});

t.test('makeState derives stable ids, jails and every dataset ZFS would list', async (t) => {
  const s = makeState({ containers: [{ name: 'web', running: true, volumes: ['data'] }, { name: 'web' }, { name: 'db', running: true }] });
  t.equal(s.containers[0]!.id, idForName('web'));
  t.equal(makeState({ containers: [{ name: 'web' }] }).containers[0]!.id, s.containers[0]!.id, 'same name, same id');
  t.not(s.containers[1]!.id, s.containers[0]!.id, 'a second container of the same name gets its own id');
  t.match(s.containers[0]!.id, /^[0-9a-f]{12}$/);
  t.same(s.jails.map((j) => [j.name, j.jid]), [[containerId(s, 'web'), 1], [containerId(s, 'db'), 2]]);
  t.equal(s.next_jid, 3);
  t.same(s.volumes, [{ name: 'data', dataset: 'zroot/kleene/volumes/data', mountpoint: '/zroot/kleene/volumes/data', created: '2026-01-01T00:00:00.000000Z' }]);
  t.same(s.containers[0]!.mounts, [{ type: 'volume', source: 'data', destination: '/data', read_only: false }]);
  const names = s.datasets.map((d) => d.name);
  for (const n of ['zroot', 'zroot/kleene', 'zroot/kleene/container', 'zroot/kleene/volumes/data', `zroot/kleene/container/${containerId(s, 'db')}`]) t.ok(names.includes(n), n);
  t.ok(s.datasets.every((d) => d.mounted === 'yes' && d.mountpoint === `/${d.name}`));
});

t.test('makeState overrides or removes datasets and round-trips through a file', async (t) => {
  const s = makeState({ containers: [{ name: 'web', volumes: ['data'] }], datasets: { 'zroot/kleene/volumes/data': null, 'zroot/kleene': { mountpoint: 'legacy' } } });
  t.notOk(s.datasets.some((d) => d.name === 'zroot/kleene/volumes/data'));
  t.equal(s.datasets.find((d) => d.name === 'zroot/kleene')!.mountpoint, 'legacy');
  const path = join(simTempDir((fn) => t.teardown(fn)), 'sub', 'state.json');
  writeState(path, s);
  t.same(readState(path), s);
  t.same(readState(join(path, '..', 'missing.json')).containers, [], 'a missing file is an empty state');
});

t.test('the double reads config.yaml as YAML, every address, like kleened', async (t) => {
  const base = 'kleene_root: zroot/kleene\npf_config_template_path: /t\npf_config_path: /etc/pf.conf\nenable_logging: true\nlog_level: debug\n';
  t.same(parseConfig(`${base}api_listening_sockets:\n  - address: "http:///var/run/kleened.sock"\n`).sockets, [{ socket: '/var/run/kleened.sock' }]);
  t.same(parseConfig(`${base}api_listening_sockets:\n- address: http:///a.sock\n  tlsverify: false\n- {address: 'http://[::1]:8085'}\n`).sockets,
    [{ socket: '/a.sock' }, { tcp: { host: '::1', port: 8085 } }], 'block and flow entries, extra keys');
  t.same(parseConfig(`${base}api_listening_sockets: [{address: "https://127.0.0.1:8443", tlscert: /c.pem, tlskey: /k.pem}]\n`, (p) => `PEM ${p}`).sockets,
    [{ tcp: { host: '127.0.0.1', port: 8443 }, tls: { cert: 'PEM /c.pem', key: 'PEM /k.pem' } }]);
  t.same(parseAddress('http://127.0.0.1:8085'), { tcp: { host: '127.0.0.1', port: 8085 } });
  t.same(parseAddress('https:///var/run/k.sock'), { socket: '/var/run/k.sock', tls: true });
  for (const bad of ['http://user@127.0.0.1:80', 'http:///x.sock?a=1', 'http:///x.sock#f', 'tcp://1.2.3.4:5', 'http://', 'http://host']) {
    t.throws(() => parseAddress(bad), /cannot parse address/, bad);
  }
  t.throws(() => parseConfig(`${base}api_listening_sockets: [{address: "https:///k.sock"}]\n`), /needs tlscert and tlskey/);
  t.throws(() => parseConfig(`${base}api_listening_sockets:\n`), /has no address/);
  t.throws(() => parseConfig('api_listening_sockets:\n  - address: http:///x.sock\n'), /required key 'kleene_root' missing/);
  t.throws(() => parseConfig('kleene_root: x\n  this: [is not yaml\n'), /invalid configuration file: .*at line \d+, column \d+/);
  t.throws(() => parseConfig('kleene_root: zroot\napi_listening_sockets:\n\t- address: "http:///x.sock"\n'), /invalid configuration file: .*tab/i, 'tabs in indentation');
  t.throws(() => parseConfig(`${base}api_listening_sockets:\n  - address: http:///x.sock\nsim_fault: bad_config\n`), /sim fault bad_config/);
});
