// The address kleened really listens on: config.yaml lists a socket at another path
// and rc.conf sets no kleened_socket. rc.d/kleened's start wait, its status and the restore all
// use config.yaml's address; kleened_socket set in rc.conf overrides it.
import t from 'tap';
import { BootSim, SIM } from '../helpers/boot.ts';
import { kleenedConfigYaml } from '../helpers/sim-state.ts';

const OTHER = '/var/run/kleened-api.sock';

t.test('config.yaml listing another socket, no kleened_socket: kleened start returns with the API answering there, and the restore works', async (t) => {
  // Mutation: chooseAddress ignoring config.yaml (always /var/run/kleened.sock) made kleened's
  // start time out and the restore fail.
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'web', faults: { start_delay_ms: 50 } }] },
    rcConf: { kleene_containers_list: 'web' },
    kleenedConfig: kleenedConfigYaml(`http://${OTHER}`),
  });
  const k = await sim.service('kleened', 'start');
  t.equal(k.code, 0, `kleened start succeeded:\n${k.stdout}`);
  t.ok(await sim.host.exists(OTHER), 'kleened listens at config.yaml\'s address');
  t.notOk(await sim.host.exists(SIM.socket), 'and not at the default one');
  const status = await sim.service('kleened', 'status');
  t.match(status.stdout, new RegExp(`kleened's API answers on ${OTHER} \\(address from /usr/local/etc/kleened/config\\.yaml\\)\\.`), 'status names the address and where it came from');
  const c = await sim.service('kleene_containers', 'start');
  t.equal(c.code, 0, `restore succeeded:\n${c.stdout}`);
  t.match(c.stdout, /^web \([0-9a-f]{12}\): started$/m);

  // kleened_socket set in rc.conf wins over config.yaml (here: a wrong one, so everything fails).
  await sim.host.appendFile('/etc/rc.conf', `kleened_socket="${SIM.socket}"\n`);
  const s2 = await sim.service('kleened', 'status');
  t.match(s2.stdout, new RegExp(`did not answer on ${SIM.socket} within 1 s; see /var/log/kleened\\.log \\(address from kleened_socket;`), 'kleened_socket overrides config.yaml');
});

t.test('config.yaml with only TLS listeners: a clear error naming kleened_socket', async (t) => {
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'web' }] },
    rcConf: { kleene_containers_list: 'web' },
    install: true,
  });
  await sim.host.writeFile(SIM.kleenedConfig, kleenedConfigYaml('https://127.0.0.1:8443').replace(/address: .*\n/, (l) => `${l}    tlscert: /x.pem\n    tlskey: /x.key\n`));
  const c = await sim.service('kleene_containers', 'start');
  t.not(c.code, 0);
  t.match(c.stdout, /^web: failed: \/usr\/local\/etc\/kleened\/config\.yaml lists only TLS listeners \(https:\/\/127\.0\.0\.1:8443\), which kleene-boot cannot use: .*kleened_socket/m);
});
