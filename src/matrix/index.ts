/** Public API of the Matrix primitives. Other areas import from here, never from the individual files. */
export type { JsonObject, JsonValue } from "./json.js";
export { getOwn, isJsonObject, omitKeys, setOwn } from "./json.js";
export { canonicalJsonBytes, compareCodePoints, encodeCanonicalJson } from "./canonical-json.js";
export { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.js";
export type { SigningKey, VerifyKey } from "./keys.js";
export { generateSigningKey, signingKeyFromSeed, verifyKeyFromBase64, verifyKeyFromBytes, verifyKeyOf } from "./keys.js";
export type { Signatures } from "./signing.js";
export {
  signatureOf,
  signedBytes,
  signJson,
  verifyBytesAsync,
  verifyJsonSignature,
  verifyJsonSignatureAsync,
} from "./signing.js";
