// Every message the power layer shows a user, built in one place: what is wrong, which
// node (and host), what to do. Nothing here may take a secret as an argument.
import {
  FatalError,
  NeedsOperatorError,
  UnreachableError,
  UsageError,
  type FallowError,
} from '../common/errors.js';

const MAX_OUTPUT = 300;

/** Cuts tool output down to one readable line for an error message. */
export function shortOutput(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_OUTPUT ? `${one.slice(0, MAX_OUTPUT)}…` : one;
}

/** host:port, with IPv6 literals in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

export const PowerMessages = {
  notInInventory(node: string, file: string): FallowError {
    return new UsageError(
      `Node ${node} is not in the power inventory ${file}`,
      `Add it under "nodes:" (at least "${node}: {}" to use the defaults)`,
    );
  },
  noSshAddress(node: string): FallowError {
    return new UsageError(
      `No SSH address for node ${node}: the inventory has none and the node reports no InternalIP`,
      `Set nodes.${node}.ssh.address in the power inventory`,
    );
  },
  noSsh(node: string): FallowError {
    return new UsageError(
      `Node ${node} has neither SSH nor a BMC in the power inventory, so it cannot be shut down`,
      `Add nodes.${node}.ssh (keyFile) or nodes.${node}.bmc`,
    );
  },
  secretUnreadable(field: string, source: string, reason: string): FallowError {
    return new UsageError(`Cannot read ${field} from ${source}: ${reason}`, 'Fix the file or variable and run again');
  },

  sshUnknownHostKey(node: string, host: string, port: number, offered: string, file: string): FallowError {
    return new NeedsOperatorError(
      `SSH host key of node ${node} (${hostPort(host, port)}) is not in ${file}; it offered ${offered}`,
      'Compare that fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node\'s console, ' +
        'then add the key to known_hosts or run again with --accept-new-host-keys. Nothing was changed',
    );
  },
  sshChangedHostKey(node: string, host: string, port: number, offered: string, known: string[], file: string): FallowError {
    return new FatalError(
      `SSH host key of node ${node} (${hostPort(host, port)}) has CHANGED: ${file} has ${known.join(', ')}, ` +
        `the server offered ${offered}`,
      'This is either a reinstalled node or someone in the middle. Verify the key on the node\'s console; ' +
        `if it is legitimate remove the old entry (ssh-keygen -R '${port === 22 ? host : `[${host}]:${port}`}' -f ${file}). Nothing was changed`,
    );
  },
  sshRevokedHostKey(node: string, host: string, port: number, offered: string, file: string): FallowError {
    return new FatalError(
      `SSH host key ${offered} of node ${node} (${hostPort(host, port)}) is marked @revoked in ${file}`,
      'Give the node a new host key and trust that one. Nothing was changed',
    );
  },
  sshAuthRejected(node: string, host: string, port: number, user: string, keyFile: string): FallowError {
    return new FatalError(
      `SSH server of node ${node} (${hostPort(host, port)}) rejected the key ${keyFile} for user ${user}`,
      `Put the public half of that key into ~${user}/.ssh/authorized_keys on the node, or fix keyFile/user ` +
        'in the power inventory. Nothing was changed',
    );
  },
  sshKeyUnusable(node: string, keyFile: string, reason: string): FallowError {
    return new UsageError(
      `SSH key ${keyFile} for node ${node} cannot be used: ${reason}`,
      'Use an unencrypted OpenSSH or PEM private key readable by this user',
    );
  },
  sshUnreachable(node: string, host: string, port: number, reason: string): FallowError {
    return new UnreachableError(
      `Cannot reach the SSH server of node ${node} at ${hostPort(host, port)}: ${reason}`,
      'Check that the node is up and the address and port in the power inventory are right',
    );
  },
  sshCommandFailed(node: string, command: string, code: number | null, output: string): FallowError {
    return new FatalError(
      `"${command}" on node ${node} failed (exit ${code ?? 'signal'})${output ? `: ${shortOutput(output)}` : ''}`,
      'If sudo asks for a password, allow the shutdown command without one (NOPASSWD) or change ' +
        `nodes.${node}.ssh.shutdownCommand`,
    );
  },
  sshExecRefused(node: string, command: string, reason: string): FallowError {
    return new FatalError(`node ${node} would not run "${command}" over SSH: ${reason}`, 'Check that the inventory\'s SSH user may run commands (no forced command, a shell)');
  },
  sshCommandTimedOut(node: string, command: string, timeoutMs: number): FallowError {
    return new UnreachableError(
      `"${command}" on node ${node} gave no answer within ${Math.round(timeoutMs / 1000)} s`,
      'Check that the node is responsive (its console), then run again',
    );
  },
  sshCannotPower(node: string, action: string): FallowError {
    return new UsageError(
      `SSH cannot ${action} node ${node}: an OS can only shut itself down`,
      `Add nodes.${node}.bmc to the power inventory, or switch it by hand`,
    );
  },

  bmcCredentialsRejected(node: string, host: string): FallowError {
    return new FatalError(
      `BMC rejected the credentials for ${node} (${host})`,
      `Check nodes.${node}.bmc.username and the password source in the power inventory. Nothing was changed`,
    );
  },
  bmcUnreachable(node: string, driver: string, host: string, port: number, reason: string): FallowError {
    return new UnreachableError(
      `Cannot reach the ${driver} BMC of node ${node} at ${hostPort(host, port)}: ${reason}`,
      'Check the BMC network and nodes.' + node + '.bmc.address/port in the power inventory',
    );
  },
  bmcFailed(node: string, driver: string, host: string, what: string, detail: string): FallowError {
    return new FatalError(
      `The ${driver} BMC of node ${node} (${host}) failed to ${what}: ${shortOutput(detail)}`,
      'Look at the BMC\'s own log or web console',
    );
  },
  bmcTlsRejected(node: string, host: string, port: number, reason: string): FallowError {
    return new FatalError(
      `TLS certificate of the Redfish BMC of node ${node} (${hostPort(host, port)}) was not accepted: ${reason}`,
      `Set nodes.${node}.bmc.tlsCaFile to the CA that signed it (or insecureTls: true if you accept the risk)`,
    );
  },
  redfishNoSystem(node: string, host: string, ids: string[], wanted: string | undefined): FallowError {
    return new UsageError(
      wanted
        ? `Redfish BMC of node ${node} (${host}) has no system "${wanted}"; it has ${ids.join(', ') || 'none'}`
        : `Redfish BMC of node ${node} (${host}) manages ${ids.length} systems (${ids.join(', ')}); fallow cannot tell which is the node`,
      `Set nodes.${node}.bmc.systemId in the power inventory`,
    );
  },
  redfishResetNotAllowed(node: string, host: string, resetType: string, allowed: string[]): FallowError {
    return new FatalError(
      `Redfish BMC of node ${node} (${host}) does not offer ResetType ${resetType} (it allows ${allowed.join(', ') || 'nothing'})`,
      'Use another driver for this node or switch it by hand',
    );
  },

  manualNoOperator(node: string, action: string): FallowError {
    return new NeedsOperatorError(
      `Node ${node} must be ${action} by hand, but nobody is at the terminal (not interactive or --yes)`,
      `Add a BMC for ${node} to the power inventory, or run again interactively without --yes`,
    );
  },
  manualAborted(node: string, action: string): FallowError {
    return new NeedsOperatorError(`The operator stopped waiting for node ${node} to be ${action}`, 'Run `fallow resume` when it is done');
  },
  manualTimedOut(node: string, action: string, waitedMs: number): FallowError {
    return new NeedsOperatorError(
      `Node ${node} was not seen ${action} within ${seconds(waitedMs)} of asking for it`,
      'Switch it and run `fallow resume`',
    );
  },

  nodeStaysOn(node: string, waitedMs: number, evidence: string): FallowError {
    return new FatalError(
      `Node ${node} is still on ${seconds(waitedMs)} after it was asked to shut down (${evidence})`,
      `Look at its console: a hung service can block shutdown. Run again with --force to cut its power, ` +
        'or switch it off by hand and resume',
    );
  },
  nodeDoesNotBoot(node: string, waitedMs: number, evidence: string): FallowError {
    return new FatalError(
      `Node ${node} did not come up within ${seconds(waitedMs)} of power-on (${evidence})`,
      'Look at its console or BMC (boot errors, disk, network), then run `fallow resume`',
    );
  },
};
