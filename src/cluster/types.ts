// Shapes of the API's own envelopes (lists, Status, Scale) the cluster layer reads; the
// objects themselves are in src/common/harvester-types.ts.
import type { KObject } from '../common/harvester-types.js';

/** autoscaling/v1 Scale, the deployments/scale subresource. */
export interface ScaleObject extends KObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** A meta/v1 List as the API answers a collection GET. */
export interface ListObject<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** meta/v1 Status, the body of API errors and of exec's error channel. */
export interface StatusObject {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}
