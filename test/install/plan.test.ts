// The pure deciding parts of install and uninstall: one row per situation a file can be in.
import t from 'tap';
import { planFiles } from '../../src/install/install.ts';
import { planUninstallFiles, planUninstallRc } from '../../src/install/uninstall.ts';
import { sha256, type Manifest } from '../../src/install/manifest.ts';
import type { Present } from '../../src/install/fsops.ts';
import type { DesiredFile } from '../../src/install/artifacts.ts';

const P = '/usr/local/etc/rc.d/kleened';
const want: DesiredFile = { path: P, content: Buffer.from('generated\n'), mode: 0o555 };
const present = (text: string, mode = 0o555): Present => ({ content: Buffer.from(text), sha256: sha256(text), mode, uid: 0, gid: 0 });
const manifest = (sha: string, original = false): Manifest => ({
  version: 1, prefix: '/usr/local', node: '/usr/local/bin/node', dirs: [], rcconf: [],
  files: [{ path: P, sha256: sha, mode: 0o555, ...(original ? { original: { backup: '/var/db/kleene-boot/orig/x', sha256: sha256('port'), mode: 0o555, uid: 0, gid: 0 } } : {}) }],
});

const installRows: Array<{ name: string; have?: Present; m?: Manifest; force?: boolean; kind: string; extra?: Record<string, unknown> }> = [
  { name: 'nothing there: create', kind: 'create' },
  { name: "someone else's file: keep it as the original, then write", have: present('port'), kind: 'replace', extra: { write: true } },
  { name: 'an unrecorded file already as generated: record it, keep a copy, write nothing', have: present('generated\n'), kind: 'replace', extra: { write: false } },
  { name: 'ours and as generated: unchanged', have: present('generated\n'), m: manifest(sha256('generated\n')), kind: 'unchanged' },
  { name: 'ours from an older version: update', have: present('old\n'), m: manifest(sha256('old\n')), kind: 'update' },
  { name: 'ours but mode changed: update', have: present('generated\n', 0o444), m: manifest(sha256('generated\n')), kind: 'update' },
  { name: 'changed since install: refuse', have: present('edited\n'), m: manifest(sha256('old\n')), kind: 'refuse' },
  { name: 'changed since install with --force, had an original: it becomes the original', have: present('port v2'), m: manifest(sha256('old\n'), true), force: true, kind: 'force', extra: { keepAsOriginal: true } },
  { name: 'changed since install with --force, install created it: overwrite', have: present('edited\n'), m: manifest(sha256('old\n')), force: true, kind: 'force', extra: { keepAsOriginal: false } },
];
for (const r of installRows) {
  t.test(`install: ${r.name}`, async (t) => {
    const [step] = planFiles([want], new Map([[P, r.have]]), r.m, r.force ?? false);
    t.match(step, { kind: r.kind, ...(r.extra ?? {}) });
  });
}

t.test('uninstall: removes ours, restores an original, refuses a changed file unless forced', async (t) => {
  const mine = manifest(sha256('generated\n')).files;
  const withOrig = manifest(sha256('generated\n'), true).files;
  t.match(planUninstallFiles(mine, new Map([[P, present('generated\n')]]), false)[0], { kind: 'remove', changed: false });
  t.match(planUninstallFiles(mine, new Map([[P, undefined]]), false)[0], { kind: 'gone' });
  t.match(planUninstallFiles(withOrig, new Map([[P, present('generated\n')]]), false)[0], { kind: 'restore' });
  t.match(planUninstallFiles(withOrig, new Map([[P, undefined]]), false)[0], { kind: 'restore' }, 'a deleted script still gets the original back');
  t.match(planUninstallFiles(mine, new Map([[P, present('edited\n')]]), false)[0], { kind: 'refuse' });
  t.match(planUninstallFiles(mine, new Map([[P, present('edited\n')]]), true)[0], { kind: 'remove', changed: true });
});

t.test('uninstall: rc.conf files come back whole only while nobody else edited them', async (t) => {
  const rec = { path: '/etc/rc.conf', sha256: sha256('after\n'), original: null, wholeFile: true, changes: [{ name: 'kleened_enable', before: 'NO', after: 'YES' }, { name: 'x_enable', after: 'YES' }] };
  t.match(planUninstallRc([rec], new Map([['/etc/rc.conf', present('after\n')]]))[0], { kind: 'whole' });
  t.match(planUninstallRc([rec], new Map([['/etc/rc.conf', present('after\nmore\n')]]))[0], {
    kind: 'edits', edits: [{ op: 'set', name: 'kleened_enable', value: 'NO' }, { op: 'unset', name: 'x_enable' }],
  });
  t.match(planUninstallRc([{ ...rec, wholeFile: false }], new Map([['/etc/rc.conf', present('after\n')]]))[0], { kind: 'edits' });
  t.match(planUninstallRc([rec], new Map([['/etc/rc.conf', undefined]]))[0], { kind: 'gone' });
});
