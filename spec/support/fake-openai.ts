/**
 * A fake of OpenAI's `POST /v1/moderations` with the real response shape: texts containing a listed word are
 * flagged with that word's categories.
 */
import { FakeHomeserver } from "./fake-homeserver.js";
import { modal, type FakeMode } from "./fake-service-modes.js";

const ALL_CATEGORIES = [
  "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
  "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic",
];

export class FakeOpenAi {
  mode: FakeMode = "ok";
  /** word → categories flagged when the input contains it. */
  readonly triggers = new Map<string, readonly string[]>([["badword", ["harassment"]], ["kidstuff", ["sexual", "sexual/minors"]]]);

  private constructor(readonly server: FakeHomeserver) {}

  static async start(): Promise<FakeOpenAi> {
    const server = await FakeHomeserver.start();
    const fake = new FakeOpenAi(server);
    server.route(
      "POST",
      "/v1/moderations",
      modal(
        () => fake.mode,
        (req) => {
          const body = req.json as { input?: unknown; model?: unknown } | undefined;
          if (req.headers.authorization !== "Bearer sk-test") return { status: 401, body: { error: { message: "Incorrect API key" } } };
          const input = typeof body?.input === "string" ? body.input : "";
          const flaggedCats = new Set<string>();
          for (const [word, cats] of fake.triggers) if (input.includes(word)) cats.forEach((c) => flaggedCats.add(c));
          const categories = Object.fromEntries(ALL_CATEGORIES.map((c) => [c, flaggedCats.has(c)]));
          const scores = Object.fromEntries(ALL_CATEGORIES.map((c) => [c, flaggedCats.has(c) ? 0.97 : 0.0001]));
          return {
            body: {
              id: "modr-test",
              model: String(body?.model ?? ""),
              results: [{ flagged: flaggedCats.size > 0, categories, category_scores: scores, category_applied_input_types: {} }],
            },
          };
        },
      ),
    );
    return fake;
  }

  get url(): string {
    return `${this.server.url}/v1`;
  }

  inputs(): string[] {
    return this.server.requestsTo("POST", "/v1/moderations").map((r) => String((r.json as { input?: unknown }).input));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
