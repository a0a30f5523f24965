/**
 * Inline emoji size filter (filters.md §2.19): an `m.room.message` whose `formatted_body` holds an `<img>` that is not
 * a small custom emoji is Prohibited [spam, policyserv.spec_non_compliance]. An `<img>` passes only when it has a
 * `data-mx-emoticon` attribute and exactly one `height` that is plain ASCII digits (after entity decoding) no greater
 * than `inline_emoji_size_filter_max_height_pixels`.
 *
 * Uses parse5's HTML5 tokenizer (decisions §6b: no regexes over HTML). The tokenizer alone does not know which
 * elements hold raw text, so we switch its state after those start tags as a tree builder would; text inside
 * `<script>`, `<style>`, `<textarea>`… and comments is therefore never read as tags, and an unterminated tag at the
 * end of input is never emitted. parse5 drops a repeated attribute with a `duplicate-attribute` parse error; a
 * repeated `height` is exactly what upstream fires on, so the error handler notes which attribute was repeated.
 */
import { Tokenizer, TokenizerMode, type TokenHandler, type Token } from "parse5";
import { HARM_POLICYSERV_SPEC_NON_COMPLIANCE, HARM_SPAM } from "../harms/ids.js";
import { contentString } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition } from "./types.js";

type TokenizerState = (typeof TokenizerMode)[keyof typeof TokenizerMode];

// Elements whose content the HTML tree builder hands to the tokenizer as text (the Go tokenizer's raw-tag list).
const RAW_TEXT_STATES: ReadonlyMap<string, TokenizerState> = new Map<string, TokenizerState>([
  ["title", TokenizerMode.RCDATA],
  ["textarea", TokenizerMode.RCDATA],
  ["style", TokenizerMode.RAWTEXT],
  ["xmp", TokenizerMode.RAWTEXT],
  ["iframe", TokenizerMode.RAWTEXT],
  ["noembed", TokenizerMode.RAWTEXT],
  ["noframes", TokenizerMode.RAWTEXT],
  ["noscript", TokenizerMode.RAWTEXT],
  ["script", TokenizerMode.SCRIPT_DATA],
  ["plaintext", TokenizerMode.PLAINTEXT],
]);

/** Whether one `<img>` tag's attributes describe an acceptable inline emoji. */
export function isAcceptableEmojiImage(
  attrs: readonly Token.Attribute[],
  maxHeight: number,
  heightRepeated: boolean,
): boolean {
  if (heightRepeated) return false;
  let emoticon = false;
  let height = false;
  for (const attr of attrs) {
    const name = attr.name.toLowerCase();
    if (name === "data-mx-emoticon") emoticon = true;
    else if (name === "height") {
      if (height) return false;
      height = true;
      if (!/^[0-9]+$/.test(attr.value)) return false;
      // Digits only, so Number() is exact up to 2^53 and anything larger is far above any sane limit anyway.
      if (Number(attr.value) > maxHeight) return false;
    }
  }
  return emoticon && height;
}

// The tokenizer emits an `img` start tag only from a literal "<" followed by i, m, g in either case (tag names
// lower-case ASCII letters only), so HTML without this substring has no <img> at all and is not tokenized.
const IMG_TAG_OPEN = /<img/i;

/** True when the HTML contains an `<img>` that is not an acceptable inline emoji. */
export function hasOversizedInlineImage(html: string, maxHeight: number): boolean {
  if (!IMG_TAG_OPEN.test(html)) return false;
  let found = false;
  let repeatedInTag: string[] = [];
  const handler: TokenHandler = {
    onStartTag(token) {
      const repeated = repeatedInTag;
      repeatedInTag = [];
      if (token.tagName === "img" && !isAcceptableEmojiImage(token.attrs, maxHeight, repeated.includes("height"))) {
        found = true;
      }
      const rawState = RAW_TEXT_STATES.get(token.tagName);
      if (rawState !== undefined) tokenizer.state = rawState;
    },
    onEndTag() {
      repeatedInTag = [];
    },
    onComment() {},
    onDoctype() {},
    onEof() {},
    onCharacter() {},
    onNullCharacter() {},
    onWhitespaceCharacter() {},
    onParseError(error) {
      if (error.code !== "duplicate-attribute") return;
      // parse5 reports the error while the repeated attribute is still its current attribute.
      const current = (tokenizer as unknown as { currentAttr?: { name?: unknown } }).currentAttr;
      repeatedInTag.push(typeof current?.name === "string" ? current.name : "height");
    },
  };
  const tokenizer = new Tokenizer({ sourceCodeLocationInfo: false }, handler);
  tokenizer.write(html, true);
  return found;
}

export const inlineEmojiSizeFilter: FilterDefinition = {
  name: "inline_emoji_size_filter",
  group: "main",
  io: false,
  enabled: (config) => config.inline_emoji_size_filter_max_height_pixels > 0,
  applies: ({ event }) => event.type === "m.room.message" && IMG_TAG_OPEN.test(contentString(event, "formatted_body")),
  check: ({ event, config }) => {
    if (event.type !== "m.room.message") return neutral();
    const html = contentString(event, "formatted_body");
    if (html === "") return neutral();
    return hasOversizedInlineImage(html, config.inline_emoji_size_filter_max_height_pixels)
      ? prohibited(HARM_SPAM, HARM_POLICYSERV_SPEC_NON_COMPLIANCE)
      : neutral();
  },
};
