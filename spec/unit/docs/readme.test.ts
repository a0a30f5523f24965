import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { withConfigSection } from "../../../src/config/readme-section.js";

const README = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "README.md");

describe("README", () => {
  it("should carry the configuration reference generated from the option table (run `npm run docs`)", () => {
    const readme = readFileSync(README, "utf8");
    assert.equal(readme, withConfigSection(readme));
  });

  it("should name the test command CI runs", () => {
    assert.match(readFileSync(README, "utf8"), /npm test/);
  });
});
