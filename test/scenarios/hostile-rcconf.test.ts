// Boot scenario: a hostile rc.conf. Values holding $(), backquotes, quotes, `;`, newlines,
// and a huge list reach kleene-boot through rc.subr and the environment: nothing in them may run,
// each bad entry is reported by its variable and its text, and the good entries still work.
import t from 'tap';
import { BootSim } from '../helpers/boot.ts';
import { containerId } from '../helpers/sim-state.ts';

/** Every payload writes a marker file under /var/db/pwned (a private tmpfs of the sim) if it ever runs. */
const P = (tag: string) => `$(touch /var/db/pwned/${tag})`;
const B = (tag: string) => `\`touch /var/db/pwned/${tag}\``;
/** sh single-quoting for rc.conf lines: what sysrc should have written. */
const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

const HUGE = Array.from({ length: 2000 }, (_, i) => `ghost${String(i).padStart(4, '0')}`);

t.test('hostile rc.conf values never execute, each bad entry is named, the good containers start', async (t) => {
  const lines = [
    `kleene_containers_list=${q(`db web ${P('list')} ${B('list-bq')} x;touch_/var/db/pwned/semi "dq" it's ${HUGE.join(' ')}`)}`,
    `kleene_containers_web_depend=${q(`db ${P('depend')}`)}`,
    `kleene_containers_jobs=${q('2; touch /var/db/pwned/jobs')}`,
    `kleene_containers_web_priority=${q(B('priority'))}`,
    `kleene_containers_db_ready=${q(`tcp:${P('ready')}:80`)}`,
    `kleene_containers_stop_timeout=${q(`5${P('timeout')}`)}`,
    // A newline inside a value: the second line must stay data, never become a variable or a command.
    `kleene_containers_cache_depend=${q(`db\nkleene_containers_injected=yes ${P('newline')}`)}`,
    `kleene_containers_weird_name\$\{x\}_depend=db`, // not a sh name: sh reports it, nothing else happens
    '',
  ];
  const sim = await BootSim.create(t, {
    state: { containers: [{ name: 'db', faults: { start_delay_ms: 50 } }, { name: 'web', faults: { start_delay_ms: 50 } }] },
    rcConf: {},
    rcConfExtra: lines.join('\n'),
  });
  await sim.host.sh('mkdir -p /var/db/pwned');
  const boot = await sim.boot();
  t.equal(boot.code, 0, 'rc finished');
  t.ok(boot.ms < 30_000, `boot took ${boot.ms} ms with a 2000-entry list`);
  t.ok((await sim.events()).some((e) => e.kind === 'rc' && e.args[0] === 'end'), 'boot reached its end');

  const pwned = await sim.host.sh('ls -A /var/db/pwned');
  t.equal(pwned.stdout, '', 'no payload ran (no marker file)');

  const log = await sim.host.syslog();
  const state = sim.state();
  t.equal(state.events.filter((e) => e.type === 'start' && e.container === containerId(state, 'db')).length, 1, 'db started once');
  // web's _depend holds an invalid value: every dependency is honoured, so web is
  // blocked, naming the variable, instead of starting without it.
  t.equal(state.events.filter((e) => e.type === 'start').length, 1, 'nothing else was started');
  t.match(log, /web \([0-9a-f]{12}\): blocked: kleene_containers_web_depend: '\$\(touch' is not a container name or id/, 'web is blocked on its invalid dependency');
  // A list splits on white space, as rc.d/jail's jail_list does: `$(touch FILE)` is two entries.
  t.match(log, /kleene_containers_list: '\$\(touch' is not a container name or id/, 'the $() entry is named as written');
  t.match(log, /kleene_containers_list: '`touch'/, 'the backquote entry is named as written');
  t.match(log, /kleene_containers_list: 'x;touch_\/var\/db\/pwned\/semi'/, 'the ; entry is named as written');
  t.match(log, /kleene_containers_list: '"dq"'/, 'the quoted entry is named as written');
  t.match(log, /ghost1999: unknown: kleene_containers_list: no container is named 'ghost1999'/, 'the last of 2000 unknown entries is named too');
  t.match(log, /restore: FAILED: 2009 containers: 1 started, 1 blocked, 2007 unknown$/m, 'the summary counts every entry');
  t.match(log, /kleene_containers_jobs/, 'the bad jobs value is named by its variable');
  t.match(log, /kleene_containers_stop_timeout/, 'the bad timeout is named by its variable');
  t.match(log, /kleene_containers_web_priority/, 'the bad priority is named by its variable');
  t.match(log, /kleene_containers_cache_depend: 'kleene_containers_injected=yes' is not a container name or id/,
    'the line after the newline stayed data of kleene_containers_cache_depend');
  t.equal(state.stats.max_start_requests_open <= 4, true, 'a rejected jobs value fell back to a bound, not to unbounded');
});
