// The Redfish resources a twin node's BMC serves, in DMTF shapes: ServiceRoot, the
// Systems collection, one ComputerSystem (PowerState, Actions["#ComputerSystem.Reset"]
// with its allowable ResetTypes), SessionService and Sessions. Pure builders, no I/O.
import type { TwinPowerState } from '../power.js';

export const RedfishPaths = {
  root: '/redfish/v1/',
  systems: '/redfish/v1/Systems',
  system: (id: string) => `/redfish/v1/Systems/${id}`,
  reset: (id: string) => `/redfish/v1/Systems/${id}/Actions/ComputerSystem.Reset`,
  sessionService: '/redfish/v1/SessionService',
  sessions: '/redfish/v1/SessionService/Sessions',
  session: (id: string) => `/redfish/v1/SessionService/Sessions/${id}`,
} as const;

export const AllowedResetTypes = ['On', 'ForceOff', 'GracefulShutdown'] as const;
export type TwinResetType = (typeof AllowedResetTypes)[number];

type Json = Record<string, unknown>;

const link = (id: string) => ({ '@odata.id': id });

export function serviceRoot(uuid: string): Json {
  return {
    '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot',
    '@odata.id': RedfishPaths.root,
    Id: 'RootService',
    Name: 'Root Service',
    RedfishVersion: '1.6.0',
    UUID: uuid,
    Systems: link(RedfishPaths.systems),
    SessionService: link(RedfishPaths.sessionService),
    Links: { Sessions: link(RedfishPaths.sessions) },
  };
}

export function systemsCollection(ids: string[]): Json {
  return {
    '@odata.type': '#ComputerSystemCollection.ComputerSystemCollection',
    '@odata.id': RedfishPaths.systems,
    Name: 'Computer System Collection',
    Members: ids.map((id) => link(RedfishPaths.system(id))),
    'Members@odata.count': ids.length,
  };
}

/** Power as a BMC reports it: the transitions are PoweringOff / PoweringOn. */
export function redfishPowerState(state: TwinPowerState): 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' {
  return { on: 'On', off: 'Off', booting: 'PoweringOn', 'shutting-down': 'PoweringOff' }[state] as
    | 'On'
    | 'Off'
    | 'PoweringOn'
    | 'PoweringOff';
}

export function computerSystem(id: string, node: string, state: TwinPowerState): Json {
  return {
    '@odata.type': '#ComputerSystem.v1_10_0.ComputerSystem',
    '@odata.id': RedfishPaths.system(id),
    Id: id,
    Name: `Twin node ${node}`,
    HostName: node,
    SystemType: 'Physical',
    PowerState: redfishPowerState(state),
    Status: { State: state === 'off' ? 'StandbyOffline' : 'Enabled', Health: 'OK' },
    Actions: {
      '#ComputerSystem.Reset': {
        target: RedfishPaths.reset(id),
        'ResetType@Redfish.AllowableValues': [...AllowedResetTypes],
      },
    },
  };
}

export function sessionService(): Json {
  return {
    '@odata.type': '#SessionService.v1_1_8.SessionService',
    '@odata.id': RedfishPaths.sessionService,
    Id: 'SessionService',
    Name: 'Session Service',
    ServiceEnabled: true,
    SessionTimeout: 600,
    Sessions: link(RedfishPaths.sessions),
  };
}

export function sessionsCollection(ids: string[]): Json {
  return {
    '@odata.type': '#SessionCollection.SessionCollection',
    '@odata.id': RedfishPaths.sessions,
    Name: 'Session Collection',
    Members: ids.map((id) => link(RedfishPaths.session(id))),
    'Members@odata.count': ids.length,
  };
}

export function session(id: string, user: string): Json {
  return { '@odata.type': '#Session.v1_3_0.Session', '@odata.id': RedfishPaths.session(id), Id: id, Name: 'User Session', UserName: user };
}

/** A Redfish error body (Base message registry). */
export function redfishError(messageId: string, message: string): Json {
  return {
    error: {
      code: `Base.1.8.${messageId}`,
      message,
      '@Message.ExtendedInfo': [{ '@odata.type': '#Message.v1_1_1.Message', MessageId: `Base.1.8.${messageId}`, Message: message }],
    },
  };
}
