// The pkg trigger file and the periodic script as rendered: shellcheck-clean POSIX sh for any
// prefix, every path through the one quoting helper, and the trigger's UCL shape per prefix.
// (They run for real in pkg-trigger.test.ts and periodic-*.test.ts.)
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { renderPeriodicDaily, renderPkgTrigger, triggerCleanupScript, triggerScript } from '../../src/install/host-hooks.ts';
import { parseUcl } from '../helpers/ucl.ts';

const hasShellcheck = spawnSync('shellcheck', ['--version']).error === undefined;
const PREFIXES = [{ prefix: '/usr/local', node: '/usr/local/bin/node' }, { prefix: '/opt/kb-1.0', node: '/opt/node@22/bin/node' }];

t.test('the three scripts are shellcheck-clean as POSIX sh', { skip: hasShellcheck ? false : 'shellcheck is not installed' }, async (t) => {
  for (const o of PREFIXES) {
    for (const [name, text] of [['periodic daily', renderPeriodicDaily(o)], ['trigger', triggerScript(o)], ['cleanup', triggerCleanupScript(o)]] as const) {
      // SC1091: /etc/defaults/periodic.conf is the host's, not ours to follow.
      const r = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC1091', '-'], { input: text, encoding: 'utf8' });
      t.equal(r.stdout + r.stderr, '', `${name} (${o.prefix})`);
      t.equal(r.status, 0);
    }
  }
});

t.test('paths come from the prefix, single-quoted; the trigger watches that prefix\'s rc.d/kleened', async (t) => {
  const o = PREFIXES[1]!;
  t.match(renderPeriodicDaily(o), "\nkb='/opt/kb-1.0/bin/kleene-boot'\n");
  t.match(triggerScript(o), "\nkb='/opt/kb-1.0/bin/kleene-boot'\n");
  const doc = parseUcl(renderPkgTrigger(o)) as { path: string[]; trigger: { script: string } };
  t.same(doc.path, ['/opt/kb-1.0/etc/rc.d/kleened']);
  t.equal(doc.trigger.script, triggerScript(o), 'the here-document holds the script byte for byte');
});
