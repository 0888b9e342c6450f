// A restore plan as a Graphviz DOT graph (`kleene-boot plan --dot | dot -Tsvg > plan.svg`): one
// node per container labelled with its name and decision (start, already running, blocked: why),
// the containers to start grouped by wave, the others in a group of their own, and an edge from
// each dependency to what waits for it. Pure.
import type { Plan, PlanItem } from '../plan/types.ts';
import { printable } from '../model/run.ts';

/** A DOT double-quoted string: `"` and `\` escaped, so no name or reason can end it or add an escape. */
export function dotString(s: string): string {
  return `"${printable(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const WORD: Record<PlanItem['decision'], string> = {
  start: 'start', 'kleened-starts': 'left to kleened (restart_policy on-startup)', running: 'already running', blocked: 'blocked', 'blocked-dependency': 'blocked by dependency', cycle: 'blocked (cycle)',
};
const FILL: Record<PlanItem['decision'], string> = {
  start: '#d8f0de', 'kleened-starts': '#dde8f5', running: '#e4e7eb', blocked: '#f6d5d3', 'blocked-dependency': '#f6d5d3', cycle: '#f6d5d3',
};

/** Wraps a reason at about `width` characters so a long one does not make a node a page wide. */
function wrap(s: string, width = 36): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

function nodeLine(i: PlanItem, indent: string, offline: boolean): string {
  const what = i.reason !== undefined && i.decision !== 'start' ? `${WORD[i.decision]}: ${i.reason}` : WORD[i.decision];
  // Each part is escaped on its own; the line breaks between them are DOT's \n.
  const text = [i.name, ...wrap(what)].map((p) => dotString(p).slice(1, -1)).join('\\n');
  return `${indent}${dotString(i.id)} [label="${text}", fillcolor="${FILL[i.decision]}", tooltip=${dotString(offline ? i.name : `${i.name} (${i.id})`)}];`;
}

/** The plan as DOT text; `offline`: made from rc.conf alone (kleened could not be asked), ids are names. */
export function planDot(plan: Plan, opts: { offline?: boolean } = {}): string {
  const offline = opts.offline ?? false;
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  const title = `kleene_containers restore plan${offline ? ' from rc.conf alone (kleened could not be asked)' : ''}: an edge goes from a dependency to what waits for it`;
  const o: string[] = [
    'digraph kleene_containers {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=11, label=${dotString(title)}, labelloc=t];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    '  edge [color="#6b7785"];',
  ];
  plan.waves.forEach((wave, k) => {
    o.push(`  subgraph cluster_wave_${k + 1} {`, `    label="wave ${k + 1}"; style=dashed; color="#9aa5b1";`);
    for (const id of wave) o.push(nodeLine(byId.get(id)!, '    ', offline));
    o.push('  }');
  });
  const rest = plan.items.filter((i) => i.decision !== 'start');
  if (rest.length > 0) {
    o.push('  subgraph cluster_not_started {', '    label="not started"; style=dashed; color="#9aa5b1";');
    for (const i of rest) o.push(nodeLine(i, '    ', offline));
    o.push('  }');
  }
  if (plan.problems.length > 0) {
    o.push('  subgraph cluster_problems {', '    label="not found in kleened"; style=dashed; color="#d1362f";');
    plan.problems.forEach((p, k) => {
      const text = [p.entry, ...wrap(`${p.kind}: ${p.message}`)].map((x) => dotString(x).slice(1, -1)).join('\\n');
      o.push(`    ${dotString(`entry:${k}`)} [label="${text}", fillcolor="#f6d5d3"];`);
    });
    o.push('  }');
  }
  for (const i of plan.items) {
    for (const d of i.depends) if (byId.has(d)) o.push(`  ${dotString(d)} -> ${dotString(i.id)};`);
  }
  o.push('}');
  return o.join('\n') + '\n';
}
