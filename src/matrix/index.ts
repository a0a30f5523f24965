/** Public API of the Matrix primitives. Other areas import from here rather than from the individual files. */
export type { JsonObject, JsonValue } from "./json.js";
export { getOwn, isJsonObject, omitKeys, setOwn } from "./json.js";
export { canonicalJsonBytes, compareCodePoints, encodeCanonicalJson } from "./canonical-json.js";
export { canonicalJsonByteLength } from "./canonical-json-length.js";
export type { JsonError, StrictJsonOptions } from "./strict-json.js";
export { parseStrictJson } from "./strict-json.js";
export { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.js";
export type { KeyLookup, SigningKey, VerifyKey } from "./keys.js";
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
export type { EventIdFormat, RedactionAlgorithm, RoomVersion } from "./room-versions.js";
export { getRoomVersion, ROOM_VERSIONS } from "./room-versions.js";
export { redactEvent } from "./redaction.js";
export {
  checkContentHash,
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  referenceBytes,
  roomIdFromCreateEvent,
} from "./event-hashes.js";
export type { UserId } from "./ids.js";
export { isValidServerName, parseUserId, serverNameOf } from "./ids.js";
export type { Pdu, PduError, PduSignatureError } from "./pdu.js";
export { parsePdu, signEventAsPolicyServer, verifyPduSignatures } from "./pdu.js";
export type { OutboundRequest, XMatrixAuth, XMatrixError, XMatrixRequest, XMatrixSignature } from "./xmatrix.js";
export { parseXMatrixHeaders, signXMatrixHeader, verifyXMatrix, xMatrixSignedObject } from "./xmatrix.js";
export { hashAndSignEvent } from "./event-signing.js";
