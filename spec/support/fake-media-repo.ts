/** A fake media repository: `GET /_matrix/client/v1/media/download/{origin}/{mediaId}` serving stored files. */
import { FakeHomeserver } from "./fake-homeserver.js";
import { modal, type FakeMode } from "./fake-service-modes.js";

export class FakeMediaRepo {
  mode: FakeMode = "ok";
  /** "origin/mediaId" → bytes and content type. */
  readonly files = new Map<string, { bytes: Buffer; contentType: string }>();

  private constructor(readonly server: FakeHomeserver) {}

  static async start(): Promise<FakeMediaRepo> {
    const server = await FakeHomeserver.start();
    const fake = new FakeMediaRepo(server);
    server.route(
      "GET",
      "/_matrix/client/v1/media/download/:origin/:mediaId",
      modal(
        () => fake.mode,
        (req, params) => {
          if (req.headers.authorization !== "Bearer media-token") return { status: 401, body: { errcode: "M_MISSING_TOKEN" } };
          const file = fake.files.get(`${params["origin"]}/${params["mediaId"]}`);
          return file === undefined
            ? { status: 404, body: { errcode: "M_NOT_FOUND" } }
            : { headers: { "content-type": file.contentType }, body: file.bytes };
        },
      ),
    );
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  downloads(): number {
    return this.server.requestsTo("GET", "/_matrix/client/v1/media/download/").length;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
