/**
 * The verdict model (decisions §2.1, filters.md §1.4): a content class plus a sorted, de-duplicated list of
 * harm identifiers. Every ContentInfo is normalised on construction so that comparisons are structural.
 */
export type ContentClass = "Neutral" | "Allowed" | "Prohibited";

export const CONTENT_CLASS_RANK: Readonly<Record<ContentClass, number>> = {
  Neutral: 0,
  Allowed: 1,
  Prohibited: 2,
};

export interface ContentInfo {
  readonly class: ContentClass;
  readonly harms: readonly string[];
}

export const HARM_OTHER = "org.matrix.msc4456.other";

/** Normalises: any harm forces Prohibited; Prohibited without harms gets `other`; harms sorted byte-wise, unique. */
export function contentInfo(cls: ContentClass, harms: Iterable<string> = []): ContentInfo {
  const unique = [...new Set(harms)].sort(compareBytes);
  if (unique.length > 0) return Object.freeze({ class: "Prohibited", harms: Object.freeze(unique) });
  if (cls === "Prohibited") return Object.freeze({ class: "Prohibited", harms: Object.freeze([HARM_OTHER]) });
  return Object.freeze({ class: cls, harms: Object.freeze([]) });
}

export const NEUTRAL: ContentInfo = contentInfo("Neutral");
export const ALLOWED: ContentInfo = contentInfo("Allowed");

/** Combines results: the maximum class and the union of harms. */
export function mergeContentInfo(infos: Iterable<ContentInfo>): ContentInfo {
  let cls: ContentClass = "Neutral";
  const harms: string[] = [];
  for (const info of infos) {
    if (CONTENT_CLASS_RANK[info.class] > CONTENT_CLASS_RANK[cls]) cls = info.class;
    harms.push(...info.harms);
  }
  return contentInfo(cls, harms);
}

/** Go compares strings byte-wise (UTF-8); for well-formed strings that equals code-point order. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
