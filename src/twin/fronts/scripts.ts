// The two shell scripts that connect real daemons to the twin's control endpoint: the
// sshd ForceCommand (a shutdown command powers the node off) and ipmi_sim's
// chassis_control (`get power`, `set power 0|1`, `set shutdown 1`, `set reset 1`, `set
// boot …`). Plain bash with /dev/tcp and HTTP/1.0, so no curl is needed.
import { chmod, writeFile } from 'node:fs/promises';
import { isLoopback } from './loopback.js';

function httpHelper(controlUrl: string, node: string): string {
  const url = new URL(controlUrl);
  if (!isLoopback(url.hostname)) throw new Error(`control endpoint must be on loopback, not ${url.hostname}`);
  return `HOST=${url.hostname}
PORT=${url.port}
NODE=${node}
# call METHOD PATH: prints the body, fails unless HTTP 200/202
call() {
  exec 3<>"/dev/tcp/$HOST/$PORT" || return 1
  printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\nContent-Length: 0\\r\\n\\r\\n' "$1" "$2" "$HOST" >&3
  local resp status
  resp=$(cat <&3)
  exec 3<&-
  status=$(printf '%s' "$resp" | head -n1 | cut -d' ' -f2)
  case "$status" in 200|202) printf '%s' "\${resp#*$'\\r\\n\\r\\n'}" ;; *) return 1 ;; esac
}
`;
}

/** ForceCommand for the node's sshd: shutdown/poweroff/halt power the twin node off. */
export function sshdForceCommandScript(controlUrl: string, node: string): string {
  return `#!/bin/bash
# fallow twin: what a login to ${node} can do.
${httpHelper(controlUrl, node)}
cmd="\${SSH_ORIGINAL_COMMAND:-}"
case "$cmd" in
  *shutdown*|*poweroff*|*halt*)
    call POST "/nodes/$NODE/shutdown" >/dev/null || { echo "twin: power control failed" >&2; exit 1; }
    echo "Shutdown scheduled for $(date -u), use 'shutdown -c' to cancel."
    exit 0 ;;
  *)
    echo "twin $NODE: only shutdown is modelled, not \\"$cmd\\"" >&2
    exit 127 ;;
esac
`;
}

/** chassis_control for ipmi_sim: called as <script> <mc> get|set <param> [value]. */
export function chassisControlScript(controlUrl: string, node: string): string {
  return `#!/bin/bash
# fallow twin: ${node}'s chassis, as ipmi_sim sees it.
${httpHelper(controlUrl, node)}
op="$2"; param="$3"; value="$4"
if [ "$op" = get ]; then
  case "$param" in
    power) body=$(call GET "/nodes/$NODE") || exit 1
           case "$body" in *'"power":0'*) echo "power:0" ;; *) echo "power:1" ;; esac ;;
    boot) echo "boot:default" ;;
    *) exit 1 ;;
  esac
  exit 0
fi
if [ "$op" = set ]; then
  case "$param:$value" in
    power:0) call POST "/nodes/$NODE/forceoff" >/dev/null ;;
    power:1) call POST "/nodes/$NODE/poweron" >/dev/null ;;
    shutdown:1) call POST "/nodes/$NODE/shutdown" >/dev/null ;;
    reset:1) call POST "/nodes/$NODE/forceoff" >/dev/null && call POST "/nodes/$NODE/poweron" >/dev/null ;;
    boot:*) exit 0 ;;
    *) exit 1 ;;
  esac
  exit $?
fi
exit 1
`;
}

export async function writeScript(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o755 });
  await chmod(path, 0o755);
}
