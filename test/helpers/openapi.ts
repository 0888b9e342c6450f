// Contract checks against kleened's own API description (openapi.json, a copy of
// /work/shared/kleened/openapi.json kept beside the double). The kleened double uses the same
// code (test/doubles/kleened/openapi.mjs) to refuse requests the spec does not describe, so a
// request the client sends either passes both or fails both.
import { checkRequest, findOperation as findOp, loadSpec, SPEC_PATH } from '../doubles/kleened/openapi.mjs';
import type { FoundOperation } from '../doubles/kleened/openapi.mjs';

export type { FoundOperation };
export { SPEC_PATH };

/** The parsed openapi.json. */
export function spec(): Record<string, any> {
  return loadSpec();
}

/** The operation matching `method` and a concrete path (query ignored; literal segments beat
 * `{templates}`), or undefined when kleened has no such route. */
export function findOperation(method: string, path: string): FoundOperation | undefined {
  return findOp(method, path);
}

/** Every way the request departs from the spec (unknown route, unknown/missing/mistyped query
 * parameter, unknown key or wrong type in the JSON body); [] when it conforms. For the
 * WebSocket `/exec/start` pass the first frame as `body`. */
export function requestProblems(method: string, pathWithQuery: string, body?: unknown): string[] {
  return checkRequest(method, pathWithQuery, body).problems;
}

/** Throws an Error listing every problem unless the request conforms to the spec; returns the
 * matched operation. */
export function assertInSpec(method: string, pathWithQuery: string, body?: unknown): FoundOperation {
  const { operation, problems } = checkRequest(method, pathWithQuery, body);
  if (problems.length > 0 || !operation) {
    throw new Error(`${method.toUpperCase()} ${pathWithQuery} does not match kleened's openapi.json:\n  ${problems.join('\n  ')}`);
  }
  return operation;
}
