// Checks requests against kleened's own OpenAPI description (openapi.json beside this file), so
// the double refuses what the real daemon would refuse and contract tests can prove every
// request kleene-boot sends exists in the spec. Plain JS: the double imports it without a loader.
//
// Stricter than kleened on purpose: OpenApiSpex ignores unknown body keys, we report them,
// because a key kleened silently drops is a bug in our client (it would not do what we meant).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const SPEC_PATH = join(dirname(fileURLToPath(import.meta.url)), 'openapi.json');

let cached;
/** The parsed spec (cached). */
export function loadSpec(path = SPEC_PATH) {
  if (path === SPEC_PATH && cached) return cached;
  const spec = JSON.parse(readFileSync(path, 'utf8'));
  if (path === SPEC_PATH) cached = spec;
  return spec;
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head'];

/** The operation for `method` and a concrete path (query ignored), or undefined. Literal
 * segments win over templates (`/volumes/list` before `/volumes/{volume_name}`). */
export function findOperation(method, pathWithQuery, spec = loadSpec()) {
  const path = pathWithQuery.split('?')[0];
  const segs = path.split('/').slice(1);
  let best;
  for (const [template, ops] of Object.entries(spec.paths)) {
    const op = ops[method.toLowerCase()];
    if (!op || !METHODS.includes(method.toLowerCase())) continue;
    const tsegs = template.split('/').slice(1);
    if (tsegs.length !== segs.length) continue;
    const params = {};
    let literal = 0;
    let ok = true;
    for (let i = 0; i < tsegs.length; i++) {
      const t = tsegs[i];
      const m = /^\{(.+)\}$/.exec(t);
      if (m) {
        if (segs[i] === '') { ok = false; break; }
        params[m[1]] = decodeURIComponent(segs[i]);
      } else if (t === segs[i]) literal++;
      else { ok = false; break; }
    }
    if (ok && (!best || literal > best.literal)) best = { method: method.toUpperCase(), template, operation: op, params, literal };
  }
  if (!best) return undefined;
  const { literal: _l, ...rest } = best;
  return rest;
}

function resolve(schema, spec) {
  let s = schema;
  while (s && s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = spec.components.schemas[name];
  }
  if (s && Array.isArray(s.allOf)) {
    const merged = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf) {
      const r = resolve(part, spec);
      Object.assign(merged.properties, r.properties ?? {});
      merged.required.push(...(r.required ?? []));
    }
    return merged;
  }
  return s;
}

/** Problems (strings naming the JSON pointer) of `value` against `schema`; [] when valid. */
export function validateValue(value, schema, pointer = '', spec = loadSpec()) {
  const s = resolve(schema, spec);
  if (!s) return [];
  const where = pointer || '/';
  if (value === null) return s.nullable ? [] : [`${where}: null is not allowed`];
  const problems = [];
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: expected an object`];
      for (const [k, v] of Object.entries(value)) {
        const ps = s.properties?.[k];
        if (!ps) {
          if (s.properties && s.additionalProperties !== true) {
            problems.push(`${pointer}/${k}: unknown key (known: ${Object.keys(s.properties).join(', ')})`);
          }
          continue;
        }
        problems.push(...validateValue(v, ps, `${pointer}/${k}`, spec));
      }
      for (const r of s.required ?? []) if (!(r in value)) problems.push(`${pointer}/${r}: required key missing`);
      break;
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected an array`];
      value.forEach((v, i) => problems.push(...validateValue(v, s.items, `${pointer}/${i}`, spec)));
      break;
    case 'string':
      if (typeof value !== 'string') return [`${where}: expected a string`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${where}: expected a boolean`];
      break;
    case 'integer':
      if (!Number.isInteger(value)) return [`${where}: expected an integer`];
      break;
    case 'number':
      if (typeof value !== 'number') return [`${where}: expected a number`];
      break;
    default:
      break;
  }
  if (s.enum && !s.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  return problems;
}

function checkQueryValue(v, schema) {
  switch (schema?.type) {
    case 'boolean': return v === 'true' || v === 'false' ? null : `expected true or false, got ${JSON.stringify(v)}`;
    case 'integer': return /^-?[0-9]+$/.test(v) ? null : `expected an integer, got ${JSON.stringify(v)}`;
    default: return null;
  }
}

/** Everything wrong with a request against the spec: unknown route, query params (unknown,
 * missing, wrong type), JSON body (missing when required, unknown keys, wrong types).
 * `body` is the parsed JSON (undefined = none). For the WebSocket route `/exec/start` pass
 * the first frame as the body, as the spec describes. Returns { operation?, problems }. */
export function checkRequest(method, pathWithQuery, body, spec = loadSpec()) {
  const found = findOperation(method, pathWithQuery, spec);
  if (!found) return { problems: [`${method.toUpperCase()} ${pathWithQuery.split('?')[0]}: no such operation in kleened's API`] };
  const problems = [];
  const op = found.operation;
  const q = new URLSearchParams(pathWithQuery.includes('?') ? pathWithQuery.slice(pathWithQuery.indexOf('?') + 1) : '');
  const qparams = (op.parameters ?? []).filter((p) => p.in === 'query');
  for (const key of new Set(q.keys())) {
    const p = qparams.find((x) => x.name === key);
    if (!p) { problems.push(`query ${key}: unknown parameter (known: ${qparams.map((x) => x.name).join(', ') || 'none'})`); continue; }
    const err = checkQueryValue(q.get(key), p.schema);
    if (err) problems.push(`query ${key}: ${err}`);
  }
  for (const p of qparams) if (p.required && !q.has(p.name)) problems.push(`query ${p.name}: required parameter missing`);
  const rb = op.requestBody;
  const schema = rb?.content?.['application/json']?.schema;
  if (body === undefined) {
    if (rb?.required && schema) problems.push('body: required JSON body missing');
  } else if (!schema) {
    problems.push('body: this operation takes no body');
  } else {
    problems.push(...validateValue(body, schema, '', spec).map((p) => `body ${p}`));
  }
  return { operation: found, problems };
}
