// jls(8) of FreeBSD 14 (libxo version "2"), answering from the kleene sim state
// ($KLEENE_SIM_STATE, default /var/db/kleene-sim/state.json). Self-contained, node builtins only,
// so it can be copied onto any PATH. Formats follow usr.sbin/jls/jls.c:
//   default:  "%6d  %-15.15s %-29.29s %.74s" (jid, ipv4, hostname, path) — no name;
//   -N:       name instead of jid; -v: jid/hostname/path, name/state, cpusetid, addresses;
//   params:   values separated by one space, an empty value printed as "-";
//   JSON:     {"__version": "2", "jail-information": {"jail": [...]}} — default keys jid (number),
//             ipv4, hostname, path; named params keep their names and are strings (%s).
// Fault `faults.jls` in the state: {stdout?, stderr?, exit_code? (default 1), delay_ms?}.
// Run by the sh front `jls` beside it; `answer(argv, state)` is also what the kleened double's
// state.mjs uses to keep the view that front prints for the hook's one form (see `jls`).
'use strict';
const fs = require('node:fs');

/** The state file's contents ({} when there is none). */
function readState(path = process.env.KLEENE_SIM_STATE || '/var/db/kleene-sim/state.json') {
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return {};
    throw e;
  }
}

/** Thrown to end an answer early, the way exit(3) ends jls. */
class Exit extends Error {}

/**
 * What jls prints for `argv` on a host in `state`: {stdout, stderr, code, delayMs}; delayMs is a
 * fault's delay, which the caller sleeps before printing.
 */
function answer(argv, state) {
  const r = { stdout: '', stderr: '', code: 0, delayMs: 0 };
  const write = (s) => { r.stdout += s; };
  const die = (msg, code = 1) => { r.stderr += `jls: ${msg}\n`; r.code = code; throw new Exit(); };
  const applyFault = (f) => {
    if (!f) return;
    if (f.delay_ms) r.delayMs = f.delay_ms;
    if (!('stdout' in f || 'stderr' in f || 'exit_code' in f)) return;
    if (f.stdout) r.stdout += f.stdout;
    if (f.stderr) r.stderr += f.stderr.endsWith('\n') ? f.stderr : f.stderr + '\n';
    r.code = f.exit_code ?? 1;
    throw new Exit();
  };
  try {
    body(argv, state, write, die, applyFault);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
  }
  return r;
}

function body(argv, state, write, die, applyFault) {
  // ---- arguments: libxo's --libxo first, then getopt("adj:hNnqsv") ----
  let style = 'text';
  let pretty = false;
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let spec;
    if (a === '--libxo') spec = argv[++i];
    else if (a.startsWith('--libxo=') || a.startsWith('--libxo:')) spec = a.slice(8);
    else { args.push(a); continue; }
    for (const part of String(spec ?? '').split(',')) {
      if (part === 'json' || part === 'J') style = 'json';
      else if (part === 'text' || part === 'T') style = 'text';
      else if (part === 'pretty' || part === 'P') pretty = true;
      else if (part === 'xml' || part === 'X' || part === 'html' || part === 'H') die(`libxo style ${part} is not simulated`);
    }
  }

  const USAGE = 'usage: jls [-dhNnqv] [-j jail] [param ...]';
  let dying = false;
  let jname;
  let jidArg = 0;
  let header = false, jailName = false, nameval = false, quoted = false, skip = false, verbose = false;
  let optind = 0;
  while (optind < args.length) {
    const a = args[optind];
    if (a === '--') { optind++; break; }
    if (!a.startsWith('-') || a === '-') break;
    optind++;
    for (let k = 1; k < a.length; k++) {
      const c = a[k];
      switch (c) {
        case 'a': case 'd': dying = true; break;
        case 'j': {
          let v = a.slice(k + 1);
          if (v === '') { if (optind >= args.length) die(`option requires an argument -- j\n${USAGE}`); v = args[optind++]; }
          // jls.c: strtoul; a non-number or 0 is a jail name
          if (/^[0-9]+$/.test(v) && Number(v) !== 0) { jidArg = Number(v); jname = undefined; } else { jidArg = 0; jname = v; }
          k = a.length;
          break;
        }
        case 'h': skip = false; verbose = false; header = true; break;
        case 'N': jailName = true; break;
        case 'n': verbose = false; nameval = true; break;
        case 'q': quoted = true; break;
        case 's': header = false; verbose = false; nameval = true; quoted = true; skip = true; break;
        case 'v': header = false; nameval = false; skip = false; verbose = true; break;
        default: die(`illegal option -- ${c}\n${USAGE}`);
      }
    }
  }
  const userParams = args.slice(optind);

  applyFault(state.faults && state.faults.jls);

  // ---- the jails this host has ----
  const KNOWN = {
    jid: { get: (j) => String(j.jid) },
    name: { get: (j) => j.name },
    path: { get: (j) => j.path ?? '/' },
    'host.hostname': { get: (j) => j.hostname ?? j.name },
    'ip4.addr': { get: (j) => ipList(j.ipv4), ip: 'ip4.addr' },
    'ip6.addr': { get: (j) => ipList(j.ipv6), ip: 'ip6.addr' },
    dying: { get: (j) => Boolean(j.dying), bool: true },
    persist: { get: (j) => Boolean(j.persist), bool: true },
    'cpuset.id': { get: (j) => String(j.cpusetid ?? j.jid + 1) },
    parent: { get: () => '0' },
    osrelease: { get: (j) => j.osrelease ?? '14.1-RELEASE' },
    'host.hostuuid': { get: (j) => j.hostuuid ?? '00000000-0000-0000-0000-000000000000' },
  };
  function ipList(v) {
    if (!v) return [];
    return Array.isArray(v) ? v : String(v).split(',').filter(Boolean);
  }

  let params = userParams;
  if (params.length === 0 && (header || nameval)) params = ['jid', 'name', 'path', 'host.hostname', 'ip4.addr', 'dying', 'persist', 'cpuset.id', 'parent'];
  if (userParams.length > 0) verbose = false;
  for (const p of params) if (!KNOWN[p]) die(`unknown parameter: ${p}`);
  const mode = userParams.length === 0 && !header && !nameval ? (verbose ? 'verbose' : 'default') : 'params';

  let jails = (Array.isArray(state.jails) ? state.jails : []).filter((j) => dying || !j.dying);
  jails.sort((a, b) => a.jid - b.jid);
  let notFound;
  if (jidArg) {
    jails = jails.filter((j) => j.jid === jidArg);
    if (jails.length === 0) notFound = `jail ${jidArg} not found`;
  } else if (jname !== undefined) {
    jails = jails.filter((j) => j.name === jname);
    if (jails.length === 0) notFound = `jail "${jname}" not found`;
  }

  // ---- text ----
  const pad = (s, w) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
  const lpad = (s, w) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
  const cut = (s, w) => s.slice(0, w);

  function quoteText(v) {
    if (!quoted) return v;
    const qc = v.includes("'") ? '"' : v.includes('"') ? "'" : /[ \t]/.test(v) ? '"' : '';
    return qc + v + qc;
  }

  function textParams(j) {
    const out = [];
    for (const p of params) {
      const k = KNOWN[p];
      const v = k.get(j);
      if (k.bool) {
        out.push(nameval ? (v ? p : p.replace(/([^.]*)$/, 'no$1')) : String(v));
        continue;
      }
      const s = Array.isArray(v) ? v.join(',') : v;
      const prefix = nameval ? `${p}=` : '';
      if (s === '') out.push(prefix + (quoted ? '""' : nameval ? '' : '-'));
      else out.push(prefix + quoteText(s));
    }
    return out.join(' ');
  }

  if (style === 'text') {
    let out = '';
    if (mode === 'verbose') {
      out += `   JID  Hostname${' '.repeat(22)}Path\n`;
      out += `${' '.repeat(8)}Name${' '.repeat(26)}State\n`;
      out += `${' '.repeat(8)}CPUSetID\n`;
      out += `${' '.repeat(8)}IP Address(es)\n`;
    } else if (mode === 'default') {
      out += jailName
        ? ` ${pad('JID', 15)} ${pad('IP Address', 15)} ${pad('Hostname', 29)} Path\n`
        : `   JID  IP Address${' '.repeat(6)}Hostname${' '.repeat(22)}Path\n`;
    } else if (header) {
      out += params.join(' ') + '\n';
    }
    if (!notFound) {
      for (const j of jails) {
        if (mode === 'verbose') {
          out += `${lpad(String(j.jid), 6)}  ${pad(cut(KNOWN['host.hostname'].get(j), 29), 29)} ${cut(KNOWN.path.get(j), 74)}\n`;
          out += `${' '.repeat(8)}${pad(cut(j.name, 29), 29)} ${j.dying ? 'DYING' : 'ACTIVE'}\n`;
          out += `${' '.repeat(8)}${KNOWN['cpuset.id'].get(j)}\n`;
          for (const ip of ipList(j.ipv4)) out += `${' '.repeat(8)}${ip}\n`;
        } else if (mode === 'default') {
          const first = jailName ? ` ${pad(j.name, 15)} ` : `${lpad(String(j.jid), 6)}  `;
          out += `${first}${pad(cut(ipList(j.ipv4)[0] ?? '', 15), 15)} ${pad(cut(KNOWN['host.hostname'].get(j), 29), 29)} ${cut(KNOWN.path.get(j), 74)}\n`;
        } else {
          out += textParams(j) + '\n';
        }
      }
    }
    write(out);
    if (notFound) die(notFound);
    return;
  }

  // ---- JSON (libxo) ----
  if (notFound) die(notFound);
  const records = jails.map((j) => {
    if (mode === 'verbose') {
      return {
        jid: j.jid, hostname: KNOWN['host.hostname'].get(j), path: KNOWN.path.get(j), name: j.name,
        state: j.dying ? 'DYING' : 'ACTIVE', cpusetid: Number(KNOWN['cpuset.id'].get(j)), ipv4_addrs: ipList(j.ipv4),
      };
    }
    if (mode === 'default') {
      const r = jailName ? { name: j.name } : { jid: j.jid };
      return Object.assign(r, { ipv4: ipList(j.ipv4)[0] ?? '', hostname: KNOWN['host.hostname'].get(j), path: KNOWN.path.get(j) });
    }
    const r = {};
    for (const p of params) {
      const k = KNOWN[p];
      const v = k.get(j);
      r[p] = k.bool ? v : v; // ip lists stay lists (emit_ip_addr_list); everything else is a %s string
    }
    return r;
  });
  if (pretty) {
    write(JSON.stringify({ __version: '2', 'jail-information': { jail: records } }, null, 2) + '\n');
  } else {
    write(`{"__version": "2", "jail-information": {"jail": [${records.map((r) => JSON.stringify(r)).join(', ')}]}}\n`);
  }
}

module.exports = { answer, readState };

if (require.main === module) {
  const r = answer(process.argv.slice(2), readState());
  if (r.delayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, r.delayMs);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
