// Where kleened listens: config.yaml's api_listening_sockets read as kleened reads it (any YAML
// layout of the same keys), the first unix socket, else the first plain TCP listener; TLS only
// is an error naming kleened_socket; rc.conf's kleened_socket overrides. The quick reader for
// the plain layout must agree with the yaml parser or step aside.
import t from 'tap';
import { parse } from 'yaml';
import { addressFromConfigYaml, chooseAddress, parseListener, quickListenAddresses } from '../../src/kleened/address.ts';

const F = '/usr/local/etc/kleened/config.yaml';
const head = 'kleene_root: zroot/kleene\npf_config_template_path: /usr/local/etc/kleened/pf.conf.kleene\npf_config_path: /etc/pf.conf\n';
const layouts: Record<string, string> = {
  example: `${head}api_listening_sockets:\n  - address: "http:///var/run/kleened.sock"\nenable_logging: true\nlog_level: debug\n`,
  plainAndComments: `# kleened\n${head}api_listening_sockets: # where\n  - address: http:///var/run/k.sock # unix\n    tlscert: ''\n  - address: 'http://127.0.0.1:8085'\nlog_level: debug\n`,
  tlsFirst: `${head}api_listening_sockets:\n  - address: "https://0.0.0.0:8443"\n    tlscert: /c.pem\n    tlskey: /k.pem\n  - address: "http://10.0.0.1:8085"\n`,
  flow: `${head}api_listening_sockets: [{address: "http:///var/run/flow.sock"}]\n`,
  anchors: `${head}sock: &s "http:///var/run/anchor.sock"\napi_listening_sockets:\n  - address: *s\n`,
  indented: `${head}api_listening_sockets:\n- address: "http:///var/run/zero.sock"\n`,
  escaped: `${head}api_listening_sockets:\n  - address: "http:///var/run/a\\x62.sock"\n`,
};

t.test('the quick reader agrees with the yaml parser, or leaves it to the parser', async (t) => {
  for (const [name, text] of Object.entries(layouts)) {
    const full = (parse(text) as { api_listening_sockets: Array<{ address: string }> }).api_listening_sockets.map((e) => e.address);
    const quick = quickListenAddresses(text);
    if (quick) t.same(quick, full, `${name}: same addresses`);
    else t.pass(`${name}: left to the yaml parser`);
  }
  t.ok(quickListenAddresses(layouts.example!), 'kleened\'s example layout is read without the parser');
  t.notOk(quickListenAddresses(layouts.anchors!), 'an alias is the parser\'s');
});

t.test('the first unix socket, else the first plain TCP listener; TLS only is an error naming kleened_socket', async (t) => {
  t.same(await addressFromConfigYaml(layouts.example!, F), { address: '/var/run/kleened.sock' });
  t.same(await addressFromConfigYaml(layouts.plainAndComments!, F), { address: '/var/run/k.sock' });
  t.same(await addressFromConfigYaml(layouts.tlsFirst!, F), { address: 'http://10.0.0.1:8085' });
  t.same(await addressFromConfigYaml(layouts.flow!, F), { address: '/var/run/flow.sock' });
  t.same(await addressFromConfigYaml(layouts.anchors!, F), { address: '/var/run/anchor.sock' });
  t.same(await addressFromConfigYaml(layouts.escaped!, F), { address: '/var/run/ab.sock' });
  const tls = await addressFromConfigYaml(`${head}api_listening_sockets:\n  - address: "https:///var/run/tls.sock"\n`, F);
  t.match(tls, { error: /config\.yaml lists only TLS listeners \(https:\/\/\/var\/run\/tls\.sock\), which kleene-boot cannot use: .*kleened_socket/ });
  t.match(await addressFromConfigYaml('api_listening_sockets: [\n', F), { error: /config\.yaml is not valid YAML/ });
  t.match(await addressFromConfigYaml(head, F), { error: /has no api_listening_sockets list/ });
  t.match(parseListener('http://user@host:1'), /is not http:\/\/HOST:PORT/);
});

t.test('kleened_socket overrides config.yaml; an unreadable config.yaml falls back to kleened\'s default, noted', async (t) => {
  const read = async (): Promise<string> => layouts.example!;
  t.same(await chooseAddress('/srv/k.sock', F, read), { address: '/srv/k.sock', source: 'kleened_socket' });
  t.same(await chooseAddress(undefined, F, read), { address: '/var/run/kleened.sock', source: 'config.yaml' });
  const missing = await chooseAddress(undefined, F, async () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); });
  t.match(missing, { address: '/var/run/kleened.sock', source: 'default', problem: /cannot read .*config\.yaml \(ENOENT\); using \/var\/run\/kleened\.sock/ });
  const tlsOnly = await chooseAddress(undefined, F, async () => `${head}api_listening_sockets:\n  - address: "https://1.2.3.4:1"\n`);
  t.equal(tlsOnly.fatal, true);
});
