// Loader hooks (run off the main thread): report each module as it is resolved, with the
// module that imported it, so a failing test can name the import chain.
let port;

export function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage({ url: r.url, parent: context.parentURL ?? null });
  return r;
}
