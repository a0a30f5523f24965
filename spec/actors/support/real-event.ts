import type { FilterEvent } from "../../../src/filters/types.js";

let counter = 0;

/** A realistic room message as the HTTP layer would hand it over (PDU fields included). */
export function realMessage(body: string, sender = "@alice:hs1.test", roomId = "!room:hs1.test"): FilterEvent {
  const content = { msgtype: "m.text", body };
  const eventId = `$real-${counter++}`;
  const pdu = {
    auth_events: [],
    content,
    depth: 10,
    hashes: { sha256: "aGFzaA" },
    origin_server_ts: 1_700_000_000_000,
    prev_events: [],
    room_id: roomId,
    sender,
    signatures: {},
    type: "m.room.message",
  };
  return {
    eventId,
    roomId,
    roomVersion: "10",
    type: "m.room.message",
    stateKey: undefined,
    sender,
    originServerTs: pdu.origin_server_ts,
    pdu,
    content,
  };
}
