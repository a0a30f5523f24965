import type Koa from "koa";
import { listen } from "../../src/http/listen.js";

/** Serves a koa app on 127.0.0.1 with an ephemeral port for the duration of a test. */
export async function serve(app: Koa): Promise<{ url: string; close: () => Promise<void> }> {
  const running = await listen(app.callback(), { host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${running.address.port}`, close: () => running.close(1000) };
}
