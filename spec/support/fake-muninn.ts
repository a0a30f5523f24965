/** A fake Muninn Hall member directory API: `GET /member_directory` with a bearer key, answering the bare directory. */
import { FakeHomeserver } from "./fake-homeserver.js";
import { modal, type FakeMode } from "./fake-service-modes.js";

export class FakeMuninn {
  mode: FakeMode = "ok";
  directory: Record<string, string[]> = { "matrix.org": ["@a:matrix.org"], "t2l.io": ["@b:t2l.io"] };

  private constructor(readonly server: FakeHomeserver) {}

  static async start(): Promise<FakeMuninn> {
    const server = await FakeHomeserver.start();
    const fake = new FakeMuninn(server);
    server.route(
      "GET",
      "/member_directory",
      modal(
        () => fake.mode,
        (req) =>
          req.headers.authorization === "Bearer muninn-key"
            ? { body: fake.directory }
            : { status: 401, body: { errcode: "M_UNKNOWN_TOKEN", error: "bad key" } },
      ),
    );
    return fake;
  }

  get url(): string {
    return `${this.server.url}/member_directory`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
