// Shapes the cluster layer reads that src/common/harvester-types.ts does not cover yet,
// narrowed to the fields fallow uses.
import type { Condition, KObject } from '../common/harvester-types.js';

export interface NamespaceObject extends KObject {
  status?: { phase?: 'Active' | 'Terminating' };
}

export interface ConfigMapObject extends KObject {
  data?: Record<string, string>;
}

export interface PvcObject extends KObject {
  spec?: { storageClassName?: string; volumeName?: string; resources?: { requests?: { storage?: string } } };
  status?: { phase?: 'Pending' | 'Bound' | 'Lost' };
}

export interface LonghornNodeObject extends KObject {
  spec?: { allowScheduling?: boolean };
  status?: { conditions?: Condition[] };
}

export interface SeederInventoryObject extends KObject {
  spec?: {
    baseboardSpec?: { connection?: { host?: string; port?: number; insecureTLS?: boolean; authSecretRef?: { name?: string; namespace?: string } } };
    powerActionRequested?: string;
  };
  status?: { status?: string };
}

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
