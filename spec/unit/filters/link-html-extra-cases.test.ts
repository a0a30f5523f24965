/**
 * Cases issue 8 asks for that the link and inline-emoji tests did not have yet: IPv6 and punycode links, and
 * malformed HTML (the parse5 tokenizer follows the HTML5 rules, so the answers are what a browser would see).
 * Padded and unpadded signatures are covered in html-and-keys.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasOversizedInlineImage } from "../../../src/filters/inline-emoji-size-filter.js";
import { findUrls, isUrlAllowed, linkFilter } from "../../../src/filters/link-filter.js";
import { config, input, message, summary } from "./helpers.js";

describe("link filter: IPv6 and punycode", () => {
  it("finds IPv6 literal URLs whole, brackets and port included", () => {
    assert.deepEqual(findUrls("a http://[2001:db8::1]/x b https://[::1]:8448/_matrix c"), [
      "http://[2001:db8::1]/x",
      "https://[::1]:8448/_matrix",
    ]);
  });
  const cases: [url: string, allow: string[], deny: string[], allowed: boolean][] = [
    ["http://[2001:db8::1]/x", [], ["http://[2001:db8::*"], false],
    ["http://[2001:db8::1]/x", ["https://*"], [], false],
    ["https://[::1]:8448/_matrix", ["https://[::1]:8448/*"], [], true],
    ["https://xn--80ak6aa92e.com/a", [], ["https://xn--80ak6aa92e.com/*"], false],
    ["https://xn--80ak6aa92e.com/a", ["https://*.org/*"], [], false],
    ["https://пример.рф/путь", [], ["https://пример.рф/*"], false],
    // Globs are literal byte strings (no IDNA mapping, as upstream): a Unicode deny glob does not catch the
    // punycode spelling of the same host, so operators must list both forms.
    ["https://xn--e1afmkfd.xn--p1ai/x", [], ["https://пример.рф/*"], true],
    ["https://EVIL.example/x", [], ["https://evil.example/*"], true], // case-sensitive, as upstream
  ];
  for (const [url, allow, deny, allowed] of cases) {
    it(`${url} allow=${JSON.stringify(allow)} deny=${JSON.stringify(deny)} → ${allowed ? "allowed" : "refused"}`, () => {
      assert.equal(isUrlAllowed(url, allow, deny), allowed);
    });
  }
  it("refuses an event linking to a denied IPv6 host through the filter definition", () => {
    const cfg = config({ link_filter_denied_url_globs: ["http://[2001:db8::*"] });
    assert.equal(summary(linkFilter.check(input(message({ body: "see http://[2001:db8::7]/pwn" }), { config: cfg }), {})), "Prohibited org.matrix.msc4456.spam");
    assert.equal(summary(linkFilter.check(input(message({ body: "see http://[2001:db9::7]/ok" }), { config: cfg }), {})), "Neutral");
  });
});

describe("inline emoji size filter: malformed HTML", () => {
  const cases: [html: string, fires: boolean][] = [
    ['<img data-mx-emoticon height="8"', false], // unterminated tag at end of input: never emitted
    ['<img data-mx-emoticon height="8><p>', false], // unterminated quote swallows the rest
    ["<img data-mx-emoticon height=8 <img src=x>", false], // `<img` is an attribute name of the first tag
    ["<<img src=x>", true], // a stray `<` is text; the tag after it is seen
    ["</img src=x>", false], // end tags are ignored
    ["<img/src=x data-mx-emoticon height=8>", false], // `/` separates attributes
    ["<p><b><img data-mx-emoticon height=8></i></p>", false], // mis-nested end tags do not matter
    ["<img src=x\u0000>", true], // NUL in an attribute value
    ["<!DOCTYPE html><img data-mx-emoticon height=999>", true],
    ["<![CDATA[<img src=x>]]>", false], // a bogus comment in HTML content
    ["<svg><img src=x></svg>", true], // foreign content does not hide the tag from the tokenizer
  ];
  for (const [html, fires] of cases) {
    it(`${JSON.stringify(html)} → ${fires ? "fires" : "passes"}`, () => {
      assert.equal(hasOversizedInlineImage(html, 32), fires);
    });
  }
});
