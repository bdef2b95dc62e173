// What every resource handler gets: the request, the parsed RequestInfo with its store
// type, the authenticated user, the store and the clock.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../common/clock.js';
import type { Store } from '../store/store.js';
import type { ResourceType } from '../store/types.js';
import { parseJson, readBody } from './http.js';
import { decodeProtobufBody, protobufMediaType } from './protobuf.js';
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

/** The request body as JSON; kubectl's protobuf bodies are decoded for the kinds it sends so. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const buf = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === protobufMediaType && buf.length > 0) return decodeProtobufBody(buf);
  return parseJson(buf);
}

/** `dryRun=All` in the query: validate and answer, but store nothing. */
export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}
