// Finds a cart on the dms sync server, prints its lines, sets one line and waits for the
// server to acknowledge or refuse the change.
//
// usage: node find-and-edit.mjs <syncUrl> <token> <documentId> <productId> <quantity> <userId>
//          [--quantity-as=scalar-string|number|text] [--expect=acknowledged|refused]
//
// --quantity-as sets how the quantity is stored: "scalar-string" (the default, what the cart
// schema requires), "number" (a JS number: float64 unless it is an integer) or "text" (a plain
// JS string, which automerge-js 3 stores as a collaborative Text object). The line replaces
// any existing line for the product as a new map, as the cart merge rules require.
//
// Prints one JSON line: the lines before and after the edit as plain JSON, how each value of
// the new line is stored, and the server's reply.

import {
  PeerFailure,
  WAIT_TIMEOUT_MS,
  connect,
  expectOutcome,
  now,
  option,
  plain,
  positionalArguments,
  runPeer,
  scalar,
  valueKind,
  waitForServerPeer,
  waitForServerReply,
} from "./lib/peer.mjs"

const USAGE =
  "node find-and-edit.mjs <syncUrl> <token> <documentId> <productId> <quantity> <userId> " +
  "[--quantity-as=scalar-string|number|text] [--expect=acknowledged|refused]"

runPeer("find-and-edit", async () => {
  const [syncUrl, token, documentId, productId, quantity, userId] = positionalArguments(USAGE, 6)
  const quantityAs = option("quantity-as", ["scalar-string", "number", "text"], "scalar-string")
  const expected = option("expect", ["acknowledged", "refused"], "acknowledged")

  const { repo, adapter } = connect(syncUrl, token)
  await waitForServerPeer(repo, adapter)
  const handle = await findReady(repo, documentId)

  // find() resolves on the first sync message that brings changes, so wait until this peer
  // has every change the server has before reading.
  const synced = await waitForServerReply(adapter, handle)
  expectOutcome(synced, "acknowledged")
  const linesBefore = plain(handle.doc().lines ?? {})

  handle.change(doc => {
    doc.lines[productId] = {
      quantity: storedQuantity(quantity, quantityAs),
      updated_by: scalar(userId),
      updated_at: scalar(now()),
    }
  })
  const written = handle.doc().lines[productId]
  const reply = await waitForServerReply(adapter, handle)
  expectOutcome(reply, expected)

  const result = {
    documentId: handle.documentId,
    linesBefore,
    linesAfter: plain(handle.doc().lines),
    writtenKinds: Object.fromEntries(Object.entries(written).map(([key, value]) => [key, valueKind(value)])),
    ...reply,
  }
  await repo.shutdown()
  return result
})

async function findReady(repo, documentId) {
  try {
    return await repo.find(documentId, { signal: AbortSignal.timeout(WAIT_TIMEOUT_MS) })
  } catch (error) {
    throw new PeerFailure(`could not find document ${documentId}: ${error.message}`)
  }
}

function storedQuantity(quantity, quantityAs) {
  switch (quantityAs) {
    case "scalar-string":
      return scalar(quantity)
    case "text":
      return quantity
    case "number": {
      const number = Number(quantity)
      if (!Number.isFinite(number)) throw new PeerFailure(`quantity ${JSON.stringify(quantity)} is not a number`)
      return number
    }
  }
}
