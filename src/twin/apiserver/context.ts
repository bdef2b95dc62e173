// What every resource handler gets: the request, the parsed RequestInfo with its store
// type, the authenticated user, the store and the clock.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/store.js';
import type { ResourceType } from '../store/types.js';
import { parseJson, readBody } from './http.js';
import type { RequestInfo } from './types.js';

export interface Principal {
  name: string;
  groups: string[];
}

export interface ResourceContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  type: ResourceType;
  query: URLSearchParams;
  user: Principal;
  store: Store;
  clock: Clock;
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  return parseJson(await readBody(req));
}

/** `dryRun=All` in the query: validate and answer, but store nothing. */
export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}
