// A small Redfish HTTPS client for one BMC: JSON requests, the BMC's CA (or an explicit
// insecure flag), session login (POST …/Sessions → X-Auth-Token, DELETE at the end) with
// HTTP Basic as the fallback for BMCs without a session service. Errors name the node.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import type { BmcTarget } from './inventory.js';
import { PowerMessages } from './messages.js';
import { Secret } from './secrets.js';

export type RedfishJson = Record<string, unknown>;

export interface RedfishResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: RedfishJson | undefined;
}

const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER/;

export class RedfishClient {
  private agent: Agent | undefined;
  /** The session token is as secret as the password it was traded for. */
  private token: Secret | undefined;
  private sessionUri: string | undefined;
  private basic = false;
  private root: RedfishJson | undefined;

  constructor(
    private readonly node: string,
    private readonly bmc: BmcTarget,
    private readonly password: Secret,
    private readonly timeoutMs = 15_000,
  ) {}

  /** The service root; readable without credentials (DMTF: GET /redfish/v1 needs no auth). */
  async serviceRoot(): Promise<RedfishJson> {
    if (!this.root) this.root = await this.json('GET', '/redfish/v1/', undefined, false);
    return this.root;
  }

  /** GET/POST with credentials; one re-login if the BMC dropped our session. */
  async call(method: string, path: string, body?: RedfishJson): Promise<RedfishResponse> {
    await this.login();
    let res = await this.send(method, path, body, true);
    if (res.status === 401 && this.token) {
      this.token = undefined;
      this.sessionUri = undefined;
      await this.login();
      res = await this.send(method, path, body, true);
    }
    if (res.status === 401 || res.status === 403) throw PowerMessages.bmcCredentialsRejected(this.node, this.bmc.address);
    return res;
  }

  async get(path: string): Promise<RedfishJson> {
    const res = await this.call('GET', path);
    if (res.status !== 200 || !res.body) throw this.failed(`read ${path}`, res);
    return res.body;
  }

  failed(what: string, res: RedfishResponse): Error {
    return PowerMessages.bmcFailed(this.node, 'Redfish', this.bmc.address, what, `HTTP ${res.status} ${redfishMessage(res.body)}`);
  }

  /** Ends the session (a BMC allows only a few at a time). */
  async logout(): Promise<void> {
    const uri = this.sessionUri;
    if (uri && this.token) await this.send('DELETE', uri, undefined, true).catch(() => undefined);
    this.token = undefined;
    this.sessionUri = undefined;
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async login(): Promise<void> {
    if (this.token || this.basic) return;
    const root = await this.serviceRoot();
    const links = root.Links as { Sessions?: { '@odata.id'?: string } } | undefined;
    const sessions = links?.Sessions?.['@odata.id'] ?? '/redfish/v1/SessionService/Sessions';
    const res = await this.send('POST', sessions, { UserName: this.bmc.username, Password: this.password.reveal() }, false);
    if (res.status === 401 || res.status === 403) throw PowerMessages.bmcCredentialsRejected(this.node, this.bmc.address);
    const token = res.headers['x-auth-token'];
    if ((res.status === 201 || res.status === 200) && typeof token === 'string') {
      this.token = new Secret(token);
      const loc = res.headers.location;
      this.sessionUri = typeof loc === 'string' ? new URL(loc, 'https://bmc').pathname : (res.body?.['@odata.id'] as string | undefined);
      return;
    }
    // No session service (404/405/501 or no token): use Basic on every request.
    this.basic = true;
  }

  private async json(method: string, path: string, body: RedfishJson | undefined, auth: boolean): Promise<RedfishJson> {
    const res = await this.send(method, path, body, auth);
    if (res.status !== 200 || !res.body) throw this.failed(`read ${path}`, res);
    return res.body;
  }

  private async send(method: string, path: string, body: RedfishJson | undefined, auth: boolean): Promise<RedfishResponse> {
    try {
      return await this.sendOnce(method, path, body, auth);
    } catch (err) {
      // A kept-alive socket the BMC had already closed: the request never reached it.
      if (err instanceof StaleSocket) return this.sendOnce(method, path, body, auth);
      throw err;
    }
  }

  private async sendOnce(method: string, path: string, body: RedfishJson | undefined, auth: boolean): Promise<RedfishResponse> {
    const agent = await this.tlsAgent();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json', 'OData-Version': '4.0' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (auth && this.token) headers['X-Auth-Token'] = this.token.reveal();
    else if (auth && this.basic) {
      headers.Authorization = `Basic ${Buffer.from(`${this.bmc.username}:${this.password.reveal()}`).toString('base64')}`;
    }
    return new Promise<RedfishResponse>((resolve, reject) => {
      const req = request(
        { host: this.bmc.address, port: this.bmc.port, method, path, headers, agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: RedfishJson | undefined;
            try {
              parsed = text ? (JSON.parse(text) as RedfishJson) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? err.message;
        if (req.reusedSocket && code === 'ECONNRESET') return reject(new StaleSocket());
        if (TLS_ERRORS.test(code)) reject(PowerMessages.bmcTlsRejected(this.node, this.bmc.address, this.bmc.port, code));
        else reject(PowerMessages.bmcUnreachable(this.node, 'Redfish', this.bmc.address, this.bmc.port, code));
      });
      req.end(payload);
    });
  }

  private async tlsAgent(): Promise<Agent> {
    if (this.agent) return this.agent;
    let ca: Buffer | undefined;
    if (this.bmc.caFile) {
      try {
        ca = await readFile(this.bmc.caFile);
      } catch (err) {
        throw PowerMessages.bmcTlsRejected(this.node, this.bmc.address, this.bmc.port, `CA file ${this.bmc.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    }
    this.agent = new Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: !this.bmc.insecureTls, ...(ca ? { ca } : {}) });
    return this.agent;
  }
}

class StaleSocket extends Error {}

/** The human part of a Redfish error body (error.@Message.ExtendedInfo or error.message). */
export function redfishMessage(body: RedfishJson | undefined): string {
  const err = body?.error as { message?: string; '@Message.ExtendedInfo'?: { Message?: string }[] } | undefined;
  return err?.['@Message.ExtendedInfo']?.[0]?.Message ?? err?.message ?? '';
}
