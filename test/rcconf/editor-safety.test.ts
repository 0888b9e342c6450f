// Write safety of the rc.conf editor: mode, backups, locks, concurrent edits, crashes.
import t from 'tap';
import { execa } from 'execa';
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, BACKUP_DIR, BACKUPS_KEPT } from '../../src/rcconf/editor.ts';
import { readEffective } from '../../src/rcconf/effective.ts';
import { lockPathFor } from '../../src/rcconf/lock.ts';
import { parseRc, splitLines } from '../../src/rcconf/parse.ts';
import { shQuote } from '../../src/shell/quote.ts';
import { fixture, makeRoot, readHost, writeHost } from './helpers.ts';

const RC = '/etc/rc.conf';

t.test('keeps mode, writes a backup, and --dry-run writes nothing', async (t) => {
  const root = makeRoot(t, { [RC]: 'kleened_enable="NO"\n' });
  chmodSync(join(root, RC), 0o600);
  const dry = await applyEdits([{ op: 'set', name: 'kleened_enable', value: 'YES' }], { root, file: RC, dryRun: true });
  t.equal(dry.diff, `--- ${RC}\n+++ ${RC}\n@@ -1 +1 @@\n-kleened_enable="NO"\n+kleened_enable="YES"\n`);
  t.equal(readHost(root, RC), 'kleened_enable="NO"\n');
  await applyEdits([{ op: 'set', name: 'kleened_enable', value: 'YES' }], { root, file: RC });
  t.equal(statSync(join(root, RC)).mode & 0o777, 0o600);
  // One place for backups, outside /etc: /var/backups/kleene-boot/etc_rc.conf.<UTC stamp>, 0600 like the file.
  const bdir = join(root, BACKUP_DIR);
  const first = readdirSync(bdir);
  t.equal(first.length, 1);
  t.match(first[0], /^etc_rc\.conf\.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9-]+Z$/);
  t.equal(readHost(root, `${BACKUP_DIR}/${first[0]}`), 'kleened_enable="NO"\n');
  t.equal(statSync(join(bdir, first[0]!)).mode & 0o777, 0o600);
  t.same(readdirSync(join(root, 'etc')).sort(), ['rc.conf'], 'nothing is left beside the file');
  // At most BACKUPS_KEPT per file: the oldest go (mutation: keep all in pruneBackups -> fails).
  for (const v of ['NO', 'YES', 'NO', 'YES', 'NO']) await applyEdits([{ op: 'set', name: 'kleened_enable', value: v }], { root, file: RC });
  const kept = readdirSync(bdir).sort();
  t.equal(kept.length, BACKUPS_KEPT);
  t.equal(readHost(root, `${BACKUP_DIR}/${kept[kept.length - 1]}`), 'kleened_enable="YES"\n', 'the newest backup is the state before the last edit');
});

t.test('a concurrent edit between read and rename is detected and kept', async (t) => {
  const root = makeRoot(t, { [RC]: 'kleened_enable="NO"\n' });
  await t.rejects(applyEdits([{ op: 'set', name: 'kleened_enable', value: 'YES' }], {
    root, file: RC,
    onWriteStep: (_f, step) => {
      if (step === 'temp-written') writeHost(root, RC, 'kleened_enable="NO"\nsomeone_else=1\n');
    },
  }), { code: 'ECHANGED', where: { file: RC } });
  t.equal(readHost(root, RC), 'kleened_enable="NO"\nsomeone_else=1\n');
  t.notOk(existsSync(lockPathFor(join(root, RC))), 'the lock is released');
  t.same(readdirSync(join(root, 'etc')).filter((f) => f.includes('kleene-boot')), [], 'no temp file is left');
});

t.test('waits for another kleene-boot\'s lock, and takes over a stale one', async (t) => {
  const root = makeRoot(t, { [RC]: 'x=1\n' });
  const lock = lockPathFor(join(root, RC));
  const holder = execa('sleep', ['5']);
  holder.catch(() => {});
  t.teardown(() => { holder.kill(); });
  writeFileSync(lock, `${holder.pid}\n`);
  await t.rejects(applyEdits([{ op: 'set', name: 'x', value: '2' }], { root, file: RC, lockTimeoutMs: 100 }),
    { code: 'ELOCKED', message: new RegExp(`pid ${holder.pid}`) });
  t.equal(readHost(root, RC), 'x=1\n');
  const dead = await execa('sh', ['-c', 'echo $$']);
  writeFileSync(lock, `${dead.stdout}\n`);
  await applyEdits([{ op: 'set', name: 'x', value: '2' }], { root, file: RC, lockTimeoutMs: 100 });
  t.equal(readHost(root, RC), 'x="2"\n');
  t.notOk(existsSync(lock));
});

t.test('a crash at any step of the write leaves the old or the new file complete', async (t) => {
  // Bundled once with esbuild so each child starts in milliseconds (tsx would compile on every start).
  const child = join(makeRoot(t), 'crash-child.cjs');
  await build({ entryPoints: [fileURLToPath(new URL('./crash-child.ts', import.meta.url))], bundle: true, platform: 'node',
    format: 'cjs', outfile: child, logLevel: 'silent' });
  const old = fixture('01-server-long.conf');
  for (const step of ['temp-written', 'temp-synced', 'renamed']) {
    const root = makeRoot(t, { [RC]: old });
    const r = await execa(process.execPath, [child, root, step, 'kleened_enable', 'NO'], { reject: false });
    t.equal(r.signal, 'SIGKILL', `${step}: the child died there`);
    const now = readHost(root, RC);
    const expectNew = old.replace('kleened_enable="YES"', 'kleened_enable="NO"');
    t.ok(now === old || now === expectNew, `${step}: file is complete (${now === old ? 'old' : 'new'})`);
    t.equal(now, step === 'renamed' ? expectNew : old, `${step}: ${step === 'renamed' ? 'new' : 'old'} content`);
    // The dead process's lock is stale: the next edit goes through.
    await applyEdits([{ op: 'set', name: 'kleened_enable', value: 'NO' }], { root, file: RC, lockTimeoutMs: 200 });
    t.equal(readHost(root, RC), expectNew, `${step}: the next edit succeeds`);
  }
});

t.test('inside an rc.conf.d/<service>/ directory, locks are hidden from load_rc_config and backups go elsewhere', async (t) => {
  const frag = '/usr/local/etc/rc.conf.d/kleene_containers/10-list';
  const root = makeRoot(t, { [frag]: 'kleene_containers_list="web"\n' });
  await applyEdits([{ op: 'add', name: 'kleene_containers_list', item: 'db' }], { root });
  t.equal(readHost(root, frag), 'kleene_containers_list="web db"\n');
  t.same(readdirSync(join(root, '/usr/local/etc/rc.conf.d/kleene_containers')).sort(), ['10-list'], 'no backup, lock or temp file in the directory');
  t.match(readdirSync(join(root, BACKUP_DIR)), [/^usr_local_etc_rc\.conf\.d_kleene_containers_10-list\./]);
  t.equal(lockPathFor('/x/rc.conf.d/kleened/a'), '/x/rc.conf.d/kleened/.a.kleene-boot.lock');
  t.equal(lockPathFor('/etc/rc.conf'), '/etc/rc.conf.kleene-boot.lock');
});

t.test('the edited text is checked with sh -n before anything is written: the final text, not one before it', async (t) => {
  // A sh that accepts every file but one holding `kb_b=` with the word `refused`: both edits
  // below change rc.conf, and only the second makes the text sh rejects. Mutation: verifying with
  // the first edit's check (setText keeping its first f.syntax, verifyAndWrite not comparing texts)
  // writes the refused file.
  const root = makeRoot(t, { [RC]: 'kb_a="1"\nkb_b="2"\n' });
  const sh = join(root, 'fake-sh');
  writeFileSync(sh, '#!/bin/sh\nif grep -q "^kb_b=.*refused" ; then echo "fake-sh: 2: refused word" >&2; exit 2; fi\nexit 0\n');
  chmodSync(sh, 0o755);
  const saved = process.env.KLEENE_BOOT_SH;
  process.env.KLEENE_BOOT_SH = sh;
  t.teardown(() => { if (saved === undefined) delete process.env.KLEENE_BOOT_SH; else process.env.KLEENE_BOOT_SH = saved; });
  const err = await applyEdits([{ op: 'set', name: 'kb_a', value: 'x' }, { op: 'set', name: 'kb_b', value: 'refused' }], { root, file: RC })
    .catch((e: unknown) => e);
  t.match(err, { code: 'EVERIFY', message: /would not pass sh -n \(fake-sh: 2: refused word\)/ });
  t.equal(readHost(root, RC), 'kb_a="1"\nkb_b="2"\n', 'nothing was written');
  const ok = await applyEdits([{ op: 'set', name: 'kb_b', value: 'fine' }], { root, file: RC });
  t.ok(ok.changed, 'the same sh lets another edit through');
});
