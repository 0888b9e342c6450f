// Types for openapi.mjs: request checks against kleened's openapi.json.
export const SPEC_PATH: string;
export interface FoundOperation {
  method: string;
  /** the spec's path template, e.g. `/containers/{container_id}/stop` */
  template: string;
  operation: Record<string, any>;
  /** path parameters, decoded */
  params: Record<string, string>;
}
export function loadSpec(path?: string): Record<string, any>;
export function findOperation(method: string, pathWithQuery: string, spec?: Record<string, any>): FoundOperation | undefined;
export function validateValue(value: unknown, schema: Record<string, any>, pointer?: string, spec?: Record<string, any>): string[];
export function checkRequest(method: string, pathWithQuery: string, body?: unknown, spec?: Record<string, any>): { operation?: FoundOperation; problems: string[] };
