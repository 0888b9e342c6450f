import t from 'tap';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionOf, rcorder, scanRcScripts } from '../../src/rcorder/index.ts';

function tree() {
  const root = mkdtempSync(join(tmpdir(), 'rcscan-'));
  mkdirSync(join(root, 'etc/rc.d'), { recursive: true });
  mkdirSync(join(root, 'usr/local/etc/rc.d'), { recursive: true });
  const w = (p: string, text: string, mode = 0o555) => writeFileSync(join(root, p), text, { mode });
  w('etc/rc.d/LOGIN', '#!/bin/sh\n# PROVIDE: LOGIN\n', 0o444); // base scripts need not be executable
  w('etc/rc.d/pf', '#!/bin/sh\n# PROVIDE: pf\n');
  w('etc/rc.d/.hidden', '# PROVIDE: hidden\n');
  w('usr/local/etc/rc.d/kleened', '#!/bin/sh\n#\n# PROVIDE: kleened\n# REQUIRE: LOGIN pf\n');
  w('usr/local/etc/rc.d/kleened.sample', '# PROVIDE: kleened\n');
  w('usr/local/etc/rc.d/kleened.pkgsave', '# PROVIDE: kleened\n');
  w('usr/local/etc/rc.d/notexec', '# PROVIDE: notexec\n', 0o644);
  w('usr/local/etc/rc.d/noprovide', '#!/bin/sh\necho hi\n');
  w('usr/local/etc/rc.d/indented', '#!/bin/sh\n  # PROVIDE: indented\n');
  mkdirSync(join(root, 'usr/local/etc/rc.d/subdir'));
  symlinkSync('/nonexistent', join(root, 'usr/local/etc/rc.d/dangling'));
  return root;
}

t.test('lists base scripts and only the local scripts /etc/rc would run, saying why the others are left out', async (t) => {
  const { files, skipped } = await scanRcScripts(tree());
  t.same(files.map((f) => f.file), ['/etc/rc.d/LOGIN', '/etc/rc.d/pf', '/usr/local/etc/rc.d/kleened']);
  t.same(files[2]!.header.require, ['LOGIN', 'pf']);
  t.same(Object.fromEntries(skipped.map((s) => [s.file.split('/').pop(), s.reason])), {
    dangling: 'not-a-file',
    indented: 'no-provide',
    'kleened.pkgsave': 'sample-or-pkgsave',
    'kleened.sample': 'sample-or-pkgsave',
    noprovide: 'no-provide',
    notexec: 'not-executable',
    subdir: 'not-a-file',
  });
});

t.test('feeds rcorder and positionOf: where kleened lands on a scanned tree', async (t) => {
  const { files } = await scanRcScripts(tree());
  const { order } = rcorder(files, { skipKeywords: ['nostart'] });
  t.same(positionOf(order, '/usr/local/etc/rc.d/kleened'), { index: 2, rank: 3, total: 3, previous: '/etc/rc.d/pf', next: null });
});

t.test('a missing directory contributes nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rcscan-'));
  t.same(await scanRcScripts(root, { localDirs: ['/nope/rc.d'] }), { files: [], skipped: [] });
});
