// Public entry of the twin's Kubernetes API server (see server.ts for the overview).
export { startApiServer } from './server.js';
export type {
  ApiFaults,
  ApiServerOptions,
  ExecHandler,
  ExecResult,
  Reachability,
  RequestRecord,
  RouteHandler,
  SubresourceHandler,
  SubresourceOptions,
  SubresourceRequest,
  SubresourceResponse,
  TwinApiServer,
  TwinPolicyRule,
  TwinUser,
} from './types.js';
