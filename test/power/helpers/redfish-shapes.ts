// The DMTF Redfish properties a client may rely on (required in the published schemas
// ServiceRoot v1, ComputerSystem v1, Session v1, resource collections, ActionInfo of
// ComputerSystem.Reset), as zod schemas: a front that drops one fails its shape test.
import { z } from 'zod';

const odataId = z.string().regex(/^\/redfish\/v1(\/|$)/);
const link = z.object({ '@odata.id': odataId });
const versionedType = (name: string) => z.string().regex(new RegExp(`^#${name}\\.v\\d+_\\d+_\\d+\\.${name}$`));

const resource = (name: string) =>
  z.object({ '@odata.id': odataId, '@odata.type': versionedType(name), Id: z.string().min(1), Name: z.string().min(1) });

export const ServiceRootShape = resource('ServiceRoot').extend({
  RedfishVersion: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  Systems: link.optional(),
  SessionService: link.optional(),
  Links: z.object({ Sessions: link }),
});

export const ResetTypes = [
  'On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton',
  'PowerCycle', 'Suspend', 'Pause', 'Resume', 'FullPowerCycle',
] as const;

export const ComputerSystemShape = resource('ComputerSystem').extend({
  PowerState: z.enum(['On', 'Off', 'PoweringOn', 'PoweringOff', 'Paused']),
  Actions: z.object({
    '#ComputerSystem.Reset': z.object({
      target: odataId,
      'ResetType@Redfish.AllowableValues': z.array(z.enum(ResetTypes)).optional(),
    }),
  }),
});

export const CollectionShape = (name: string) =>
  z.object({
    '@odata.id': odataId,
    '@odata.type': z.literal(`#${name}.${name}`),
    Name: z.string().min(1),
    Members: z.array(link),
    'Members@odata.count': z.number().int().nonnegative(),
  }).refine((c) => c.Members.length === c['Members@odata.count'], 'Members@odata.count must equal the number of Members');

export const SessionShape = resource('Session').extend({ UserName: z.string().optional() });
export const SessionServiceShape = resource('SessionService').extend({ Sessions: link });

export const ErrorShape = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string().min(1),
    '@Message.ExtendedInfo': z.array(z.object({ MessageId: z.string(), Message: z.string() })).optional(),
  }),
});
