// Creates a cart following the dms.cart/1 schema, sets its lines, submits it and waits for
// the dms sync server to acknowledge or refuse the changes.
//
// usage: node create-cart.mjs <syncUrl> <token> <tenantId> <buyerId> <userId>
//          <productId> <quantity> [<productId> <quantity> ...]
//          [--document-id=from-cart-id|repo-create] [--cart-id=<ULID>]
//          [--expect=acknowledged|refused|any]
//
// With --document-id=from-cart-id (the default) the cart id is a new ULID and the document id
// is the base58check encoding of its 16 bytes, because the server and the Rust devices find a
// cart's document by its cart id. Repo.create() cannot take an id, so the first change is
// imported under the chosen id instead. With --document-id=repo-create, Repo.create() picks
// random document id bytes and header.cart_id is --cart-id or a new, unrelated ULID.
// Create, each line and the submission are separate changes, as the Rust device makes them.
//
// Prints one JSON line: documentId, cartId, the document as plain JSON and the server's reply.

import * as A from "@automerge/automerge"
import { interpretAsDocumentId } from "@automerge/automerge-repo"

import {
  PeerFailure,
  connect,
  expectOutcome,
  generateUlidBytes,
  now,
  option,
  plain,
  positionalArguments,
  runPeer,
  scalar,
  textOption,
  ulidText,
  waitForServerPeer,
  waitForServerReply,
} from "./lib/peer.mjs"

const USAGE =
  "node create-cart.mjs <syncUrl> <token> <tenantId> <buyerId> <userId> <productId> <quantity> [<productId> <quantity> ...] " +
  "[--document-id=from-cart-id|repo-create] [--cart-id=<ULID>] [--expect=acknowledged|refused|any]"

runPeer("create-cart", async () => {
  const [syncUrl, token, tenantId, buyerId, userId, ...lineArguments] = positionalArguments(USAGE, 7)
  if (lineArguments.length % 2 !== 0) {
    throw new PeerFailure(`product ${lineArguments.at(-1)} has no quantity\nusage: ${USAGE}`)
  }

  const documentIdSource = option("document-id", ["from-cart-id", "repo-create"], "from-cart-id")
  const expected = option("expect", ["acknowledged", "refused", "any"], "acknowledged")
  const givenCartId = textOption("cart-id")
  if (givenCartId !== undefined && documentIdSource !== "repo-create") {
    throw new PeerFailure("--cart-id needs --document-id=repo-create")
  }

  const cartBytes = generateUlidBytes()
  const cartId = givenCartId ?? ulidText(cartBytes)
  const createdAt = now()
  const skeleton = {
    schema: scalar("dms.cart/1"),
    header: {
      cart_id: scalar(cartId),
      tenant_id: scalar(tenantId),
      buyer_id: scalar(buyerId),
      created_by: scalar(userId),
      created_at: scalar(createdAt),
    },
    status: scalar("draft"),
    lines: {},
  }

  const { repo, adapter } = connect(syncUrl, token)
  await waitForServerPeer(repo, adapter)
  const handle =
    documentIdSource === "repo-create"
      ? repo.create(skeleton)
      : repo.import(A.save(A.from(skeleton)), { docId: interpretAsDocumentId(cartBytes) })

  for (let index = 0; index < lineArguments.length; index += 2) {
    const [productId, quantity] = lineArguments.slice(index, index + 2)
    handle.change(doc => {
      doc.lines[productId] = {
        quantity: scalar(quantity),
        updated_by: scalar(userId),
        updated_at: scalar(now()),
      }
    })
  }

  handle.change(doc => {
    doc.submission = {
      submitted_by: scalar(userId),
      submitted_at: scalar(now()),
      device_id: scalar(`automerge-repo-js ${repo.peerId}`),
    }
    doc.status = scalar("submitted")
  })

  const reply = await waitForServerReply(adapter, handle)
  expectOutcome(reply, expected)

  const result = { documentId: handle.documentId, cartId, document: plain(handle.doc()), ...reply }
  await repo.shutdown()
  return result
})
