// zfs(8) of OpenZFS 2.2 (FreeBSD 14), only `list`, `get` and `mount`, answering from the kleene
// sim state ($KLEENE_SIM_STATE, default /var/db/kleene-sim/state.json), whose `datasets` hold
// {name, mounted: "yes"|"no", mountpoint, type?, canmount?, used?, avail?, refer?}.
// Self-contained, node builtins only. Output shapes:
//   list -H: tab-separated, no header; without -H a header and two-space padded columns;
//   -p: exact numbers; a missing dataset: "cannot open 'X': dataset does not exist", exit 1
//   (the datasets that exist are still printed). No JSON: `-j` arrived in 2.3.
// `zfs mount DATASET` writes the state (temp file + rename).
// Fault `faults.zfs` in the state: {stdout?, stderr?, exit_code? (default 1), delay_ms?}.
// Run by the sh front `zfs` beside it; `answer(argv, state)` is also what the kleened double's
// state.mjs uses to keep the view that front prints for the hook's one form (see `zfs`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const statePath = process.env.KLEENE_SIM_STATE || '/var/db/kleene-sim/state.json';
/** The state file's contents ({} when there is none). */
function readState(file = statePath) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return {};
    throw e;
  }
}
/** Writes the state as `zfs mount` changed it; the list view beside it goes first (it would be stale). */
function writeState(s) {
  fs.mkdirSync(path.dirname(statePath), { recursive: true });
  fs.rmSync(`${statePath}.zfs`, { force: true });
  const tmp = path.join(path.dirname(statePath), `.${path.basename(statePath)}.zfs.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(tmp, statePath);
}

/** Thrown to end an answer early, the way exit(3) ends zfs. */
class Exit extends Error {}

/**
 * What zfs prints for `argv` on a host in `state`: {stdout, stderr, code, delayMs, newState?};
 * delayMs is a fault's delay, which the caller sleeps before printing; newState is the state
 * `zfs mount` leaves, for the caller to write.
 */
function answer(argv, state) {
  const r = { stdout: '', stderr: '', code: 0, delayMs: 0 };
  const write = (s) => { r.stdout += s; };
  const ewrite = (s) => { r.stderr += s; };
  const exit = (code) => { r.code = code; throw new Exit(); };
  try {
    const fault = state.faults && state.faults.zfs;
    if (fault) {
      if (fault.delay_ms) r.delayMs = fault.delay_ms;
      if ('stdout' in fault || 'stderr' in fault || 'exit_code' in fault) {
        if (fault.stdout) write(fault.stdout);
        if (fault.stderr) ewrite(fault.stderr.endsWith('\n') ? fault.stderr : fault.stderr + '\n');
        exit(fault.exit_code ?? 1);
      }
    }

    const datasets = (Array.isArray(state.datasets) ? state.datasets : []).map((d) => ({ type: 'filesystem', ...d }));
    const byName = new Map(datasets.map((d) => [d.name, d]));
    let status = 0;
    const err = (msg) => { ewrite(msg + '\n'); status = 1; };

    function usage(cmd) {
      const u = {
        list: "usage:\n\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...",
        get: "usage:\n\tget [-rHp] [-d max] [-o \"all\" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <\"all\" | property[,...]> [filesystem|volume|snapshot|bookmark] ...",
        mount: 'usage:\n\tmount\n\tmount [-flvO] [-o opts] <-a | filesystem>',
      }[cmd];
      ewrite((u ?? 'usage: zfs command args ...\nwhere \'command\' is one of the following:\n\n\tlist\n\tget\n\tmount\n') + '\n');
      exit(2);
    }

    function human(n) {
      const units = ['', 'K', 'M', 'G', 'T', 'P'];
      let v = n;
      let i = 0;
      while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
      if (i === 0) return String(n);
      const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
      return s.replace(/\.?0+$/, '') + units[i];
    }

    const NUMERIC = new Set(['used', 'avail', 'available', 'refer', 'referenced']);
    const PROPS = ['name', 'type', 'mounted', 'mountpoint', 'canmount', 'used', 'avail', 'available', 'refer', 'referenced', 'origin', 'creation'];
    function prop(d, p, exact) {
      switch (p) {
        case 'name': return d.name;
        case 'type': return d.type;
        case 'mounted': return d.type === 'filesystem' ? (d.mounted === 'yes' || d.mounted === true ? 'yes' : 'no') : '-';
        case 'mountpoint': return d.type === 'filesystem' ? (d.mountpoint ?? '/' + d.name) : '-';
        case 'canmount': return d.type === 'filesystem' ? (d.canmount ?? 'on') : '-';
        case 'origin': return d.origin ?? '-';
        case 'creation': return exact ? String(d.creation ?? 1767225600) : 'Thu Jan  1  0:00 2026';
        default: {
          const key = { available: 'avail', referenced: 'refer' }[p] ?? p;
          const n = d[key] ?? { used: 98304, avail: 10000000000, refer: 98304 }[key];
          return exact ? String(n) : human(n);
        }
      }
    }
    const HEADER = { avail: 'AVAIL', available: 'AVAIL', refer: 'REFER', referenced: 'REFER' };

    function table(rows, cols, scripted, rightAligned) {
      if (scripted) return rows.map((r) => r.join('\t') + '\n').join('');
      const all = [cols.map((c) => HEADER[c] ?? c.toUpperCase()), ...rows];
      const w = cols.map((_, i) => Math.max(...all.map((r) => r[i].length)));
      return all.map((r) => r.map((v, i) => {
        if (i === r.length - 1 && !rightAligned(cols[i])) return v;
        return rightAligned(cols[i]) ? v.padStart(w[i]) : v.padEnd(w[i]);
      }).join('  ') + '\n').join('');
    }

    function nameCmp(a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }

    /** getopt-style parse: flags without values in `flags`, with a value in `withArg`. */
    function getopt(argv, flags, withArg) {
      const o = { _: [] };
      let i = 0;
      for (; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--') { i++; break; }
        if (!a.startsWith('-') || a === '-') break;
        for (let k = 1; k < a.length; k++) {
          const c = a[k];
          if (withArg.includes(c)) {
            let v = a.slice(k + 1);
            if (v === '') v = argv[++i];
            if (v === undefined) return { error: `missing argument for '${c}' option` };
            (o[c] = o[c] ?? []).push(v);
            break;
          }
          if (!flags.includes(c)) return { error: `invalid option '${c}'` };
          o[c] = true;
        }
      }
      o._ = argv.slice(i);
      return o;
    }

    /** Datasets named by `targets` (all when empty), recursively under -r/-d, of `types`. */
    function select(targets, recursive, depth, types) {
      const out = [];
      const seen = new Set();
      const add = (d) => { if (!seen.has(d.name) && types.includes(d.type)) { seen.add(d.name); out.push(d); } };
      if (targets.length === 0) datasets.forEach(add);
      for (const t of targets) {
        const d = byName.get(t);
        if (!d) { err(`cannot open '${t}': dataset does not exist`); continue; }
        add(d);
        if (recursive) {
          const base = t.split('/').length;
          for (const x of datasets) {
            if (!x.name.startsWith(t + '/') && !x.name.startsWith(t + '@')) continue;
            if (depth !== undefined && x.name.split('/').length - base > depth) continue;
            add(x);
          }
        }
      }
      return out.sort(nameCmp);
    }

    const [cmd, ...rest] = argv;
    switch (cmd) {
      case 'list': {
        const o = getopt(rest, 'Hpr', 'odtsS');
        if (o.error) { ewrite(o.error + '\n'); usage('list'); }
        const cols = (o.o ? o.o.join(',') : 'name,used,avail,refer,mountpoint').split(',');
        for (const c of cols) if (!PROPS.includes(c)) { ewrite(`invalid property '${c}'\n`); usage('list'); }
        const types = o.t ? o.t.join(',').split(',').flatMap((t) => (t === 'all' ? ['filesystem', 'volume', 'snapshot', 'bookmark'] : [t])) : ['filesystem', 'volume'];
        const depth = o.d ? Number(o.d[0]) : undefined;
        const sel = select(o._, Boolean(o.r) || depth !== undefined, depth, types);
        const rows = sel.map((d) => cols.map((c) => prop(d, c, Boolean(o.p))));
        // zfs_main.c: only the human (non -H) form says so, on stderr, still exit 0
        if (rows.length === 0 && status === 0 && !o.H) ewrite('no datasets available\n');
        else if (rows.length) write(table(rows, cols, Boolean(o.H), (c) => NUMERIC.has(c)));
        exit(status);
        break;
      }
      case 'get': {
        const o = getopt(rest, 'rHp', 'dotsS');
        if (o.error) { ewrite(o.error + '\n'); usage('get'); }
        const [plist, ...targets] = o._;
        if (!plist) { ewrite('missing property argument\n'); usage('get'); }
        const props = plist === 'all' ? PROPS.filter((p) => !['available', 'referenced'].includes(p)) : plist.split(',');
        for (const p of props) if (!PROPS.includes(p)) { ewrite(`bad property list: invalid property '${p}'\n`); usage('get'); }
        const fields = (o.o ? o.o.join(',') : 'name,property,value,source').split(',');
        const types = o.t ? o.t.join(',').split(',') : ['filesystem', 'volume', 'snapshot', 'bookmark'];
        const depth = o.d ? Number(o.d[0]) : undefined;
        const sel = select(targets, Boolean(o.r) || depth !== undefined, depth, types);
        const rows = [];
        for (const d of sel) {
          for (const p of props) {
            const source = ['name', 'type', 'mounted', 'used', 'avail', 'available', 'refer', 'referenced', 'creation', 'origin'].includes(p) ? '-' : (d[`${p}_source`] ?? 'default');
            const f = { name: d.name, property: p, value: prop(d, p, Boolean(o.p)), received: '-', source };
            rows.push(fields.map((x) => f[x] ?? '-'));
          }
        }
        if (rows.length) write(table(rows, fields, Boolean(o.H), () => false));
        exit(status);
        break;
      }
      case 'mount': {
        const o = getopt(rest, 'flvOa', 'o');
        if (o.error) { ewrite(o.error + '\n'); usage('mount'); }
        if (!o.a && o._.length === 0) {
          for (const d of datasets.filter((x) => x.type === 'filesystem' && (x.mounted === 'yes' || x.mounted === true)).sort(nameCmp)) {
            write(`${d.name.padEnd(30)}  ${prop(d, 'mountpoint')}\n`);
          }
          exit(0);
        }
        const names = o.a ? datasets.filter((d) => d.type === 'filesystem' && (d.canmount ?? 'on') === 'on' && d.mounted !== 'yes').map((d) => d.name) : o._;
        const s = structuredClone(state);
        for (const n of names) {
          const d = (s.datasets ?? []).find((x) => x.name === n);
          if (!d) { err(`cannot open '${n}': dataset does not exist`); continue; }
          const mp = d.mountpoint ?? '/' + d.name;
          if (d.mounted === 'yes' || d.mounted === true) { if (!o.a) err(`cannot mount '${n}': filesystem already mounted`); continue; }
          if ((d.canmount ?? 'on') === 'off') { err(`cannot mount '${n}': 'canmount' property is set to 'off'`); continue; }
          if (mp === 'legacy' || mp === 'none') { err(`cannot mount '${n}': ${mp === 'legacy' ? "legacy mountpoint\nuse mount(8) to mount this filesystem" : "no mountpoint set"}`); continue; }
          if (d.mount_error) { err(`cannot mount '${n}': ${d.mount_error}`); continue; }
          d.mounted = 'yes';
        }
        r.newState = s;
        exit(status);
        break;
      }
      default:
        if (cmd) ewrite(`unrecognized command '${cmd}'\n`);
        usage();
    }
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
  }
  return r;
}

module.exports = { answer, readState };

if (require.main === module) {
  const r = answer(process.argv.slice(2), readState());
  if (r.delayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, r.delayMs);
  if (r.newState) writeState(r.newState);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
