// `node --import <this file>`: writes every ES module the process imported, one per line as
// "<url> <importing url>", to $FALLOW_MODULE_TRACE when it exits, so a test can tell which
// stacks a command pulled in (fallow --help must not load the Kubernetes client).
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const out = process.env.FALLOW_MODULE_TRACE;
if (out) {
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  register('./hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
  process.on('exit', () => {
    const urls = [];
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) urls.push(`${m.message.url} ${m.message.parent ?? '-'}`);
    writeFileSync(out, urls.join('\n') + '\n');
  });
}
