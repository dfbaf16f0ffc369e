// Shared plumbing for the interop peers: a Repo connected to the dms sync server through the
// automerge-repo WebSocket client adapter, bounded waits, cart value helpers and the
// one-JSON-line result convention that tests/tests/interop_automerge_repo_js.rs parses.

import * as A from "@automerge/automerge"
import { Repo, cbor } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

/** Maximum time one wait may take, in milliseconds. */
export const WAIT_TIMEOUT_MS = 15_000

/** Maximum time a whole peer run may take, in milliseconds. It backs up WAIT_TIMEOUT_MS. */
const RUN_TIMEOUT_MS = 25_000

const POLL_INTERVAL_MS = 20

/** A failure with a message meant for the person reading the test output. */
export class PeerFailure extends Error {}

/**
 * Runs `main`, prints its result as one JSON line on stdout and exits 0. On any error, or
 * when the run takes longer than RUN_TIMEOUT_MS, prints the reason on stderr and exits 1.
 */
export function runPeer(name, main) {
  const deadline = setTimeout(() => {
    console.error(`${name}: timed out after ${RUN_TIMEOUT_MS} ms`)
    process.exit(1)
  }, RUN_TIMEOUT_MS)
  deadline.unref()

  // The WebSocket adapter rethrows connection errors other than ECONNREFUSED from an event
  // listener (automerge-repo-network-websocket 2.5.6), for example a 401 at the upgrade.
  process.on("uncaughtException", error => {
    console.error(`${name}: WebSocket connection failed: ${error?.message ?? error}`)
    process.exit(1)
  })

  main().then(
    result => {
      process.stdout.write(JSON.stringify(result) + "\n")
      process.exit(0)
    },
    error => {
      const reason = error instanceof PeerFailure ? error.message : error?.stack ?? String(error)
      console.error(`${name}: ${reason}`)
      process.exit(1)
    }
  )
}

/** Returns the positional arguments, or fails with `usage` when there are fewer than `count`. */
export function positionalArguments(usage, count) {
  const values = process.argv.slice(2).filter(argument => !argument.startsWith("--"))
  if (values.length < count) {
    throw new PeerFailure(`expected ${count} arguments, got ${values.length}\nusage: ${usage}`)
  }
  return values
}

/** Returns the value of `--name=value`, or undefined when the option is absent. */
export function textOption(name) {
  const prefix = `--${name}=`
  const found = process.argv.slice(2).find(argument => argument.startsWith(prefix))
  return found === undefined ? undefined : found.slice(prefix.length)
}

/** Returns the value of `--name=value`, or `fallback`. Fails when the value is not in `allowed`. */
export function option(name, allowed, fallback) {
  const value = textOption(name) ?? fallback
  if (!allowed.includes(value)) {
    throw new PeerFailure(`invalid --${name} ${JSON.stringify(value)}; expected one of ${allowed.join(", ")}`)
  }
  return value
}

/**
 * A WebSocket client adapter that also records what the server sends about documents.
 * Repo's public API does not expose the server's sync heads or its protocol `error`
 * messages: in 2.5.6 the adapter only writes `error` to its debug log.
 */
class ObservedClientAdapter extends WebSocketClientAdapter {
  /** Text of every protocol `error` message received. */
  serverErrors = []
  /** Heads from the server's latest `sync` message, by document id, as sorted hex hashes. */
  serverHeads = new Map()
  /** Document ids for which the server sent `doc-unavailable`. */
  unavailableDocuments = new Set()
  /** Whether the connection to the server closed after the handshake. */
  disconnected = false

  receiveMessage(bytes) {
    let message
    try {
      message = cbor.decode(new Uint8Array(bytes))
    } catch {
      message = undefined // The adapter logs undecodable frames itself.
    }
    switch (message?.type) {
      case "error":
        this.serverErrors.push(String(message.message))
        break
      case "sync":
        this.serverHeads.set(message.documentId, sortedHeads(A.decodeSyncMessage(message.data).heads))
        break
      case "doc-unavailable":
        this.unavailableDocuments.add(message.documentId)
        break
    }
    super.receiveMessage(bytes)
  }
}

/**
 * Opens a Repo without storage whose only peer is the server at `syncUrl`. The token goes in
 * the `access_token` query parameter because this adapter cannot set request headers.
 */
export function connect(syncUrl, token) {
  const url = new URL(syncUrl)
  url.searchParams.set("access_token", token)
  const adapter = new ObservedClientAdapter(url.toString())
  adapter.on("peer-disconnected", () => {
    adapter.disconnected = true
  })
  const repo = new Repo({ network: [adapter] })
  return { repo, adapter }
}

/** Waits until the server has replied to `join` with `peer`. */
export async function waitForServerPeer(repo, adapter) {
  await waitUntil(() => {
    if (adapter.serverErrors.length > 0) {
      throw new PeerFailure(`the server sent error ${JSON.stringify(adapter.serverErrors[0])} during the handshake`)
    }
    return repo.peers.length > 0 ? true : undefined
  }, "the server's peer message")
}

/**
 * Waits until the server's latest sync message for the handle's document advertises exactly
 * the local heads, or until the server sends a protocol `error`.
 *
 * The dms server sends a sync message for a document only after committing the changes it
 * received to its database, so matching heads mean every local change is durable there.
 * Returns `{ outcome: "acknowledged", heads }` or `{ outcome: "refused", serverError }`.
 */
export async function waitForServerReply(adapter, handle) {
  const reply = await waitUntil(() => {
    if (adapter.serverErrors.length > 0) {
      return { outcome: "refused", serverError: adapter.serverErrors[0] }
    }
    const local = sortedHeads(A.getHeads(handle.doc()))
    const server = adapter.serverHeads.get(handle.documentId)
    if (server !== undefined && sameHeads(local, server)) {
      return { outcome: "acknowledged", heads: local }
    }
    return undefined
  }, `the server to acknowledge or refuse document ${handle.documentId}`)

  if (reply.outcome === "refused") {
    // The server closes the connection right after `error`.
    await waitUntil(() => (adapter.disconnected ? true : undefined), "the server to close the connection")
    reply.connectionClosed = adapter.disconnected
  }
  return reply
}

/** Fails unless `reply.outcome` is `expected` (or `expected` is "any"), naming what the server did instead. */
export function expectOutcome(reply, expected) {
  if (expected === "any" || reply.outcome === expected) return
  const detail = reply.outcome === "refused" ? `: ${reply.serverError}` : ""
  throw new PeerFailure(`expected the server's reply to be ${expected}, but it was ${reply.outcome}${detail}`)
}

/** Calls `check` every POLL_INTERVAL_MS until it returns a value other than undefined. */
export async function waitUntil(check, description) {
  const deadline = Date.now() + WAIT_TIMEOUT_MS
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) {
      throw new PeerFailure(`timed out after ${WAIT_TIMEOUT_MS} ms waiting for ${description}`)
    }
    await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}

/**
 * Stores `text` as an automerge scalar string. The cart schema requires scalar strings;
 * automerge-js 3 stores a plain JS string as a collaborative Text object instead.
 */
export function scalar(text) {
  return new A.ImmutableString(text)
}

/**
 * Converts a document value to plain JSON. Scalar strings and Text objects both become JS
 * strings, so `valueKind` is needed to tell them apart.
 */
export function plain(value) {
  if (A.isImmutableString(value)) return value.val
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]))
  }
  return value
}

/** Names how automerge-js 3 stores a document value: "scalar-string", "text", "number", … */
export function valueKind(value) {
  if (A.isImmutableString(value)) return "scalar-string"
  if (typeof value === "string") return "text"
  if (Array.isArray(value)) return "list"
  if (value === null) return "null"
  return typeof value
}

/** Returns the current time as RFC 3339 text with a UTC offset ("Z"). */
export function now() {
  return new Date().toISOString()
}

/** Generates a ULID as its 16 bytes: 48-bit big-endian Unix milliseconds, then 80 random bits. */
export function generateUlidBytes() {
  const bytes = new Uint8Array(16)
  let millis = BigInt(Date.now())
  for (let index = 5; index >= 0; index--) {
    bytes[index] = Number(millis & 0xffn)
    millis >>= 8n
  }
  crypto.getRandomValues(bytes.subarray(6))
  return bytes
}

/** Encodes 16 bytes as ULID text: 26 characters of Crockford base32, most significant first. */
export function ulidText(bytes) {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
  let number = 0n
  for (const byte of bytes) number = (number << 8n) | BigInt(byte)
  let text = ""
  for (let index = 0; index < 26; index++) {
    text = alphabet[Number(number & 31n)] + text
    number >>= 5n
  }
  return text
}

function sortedHeads(heads) {
  return [...heads].sort()
}

function sameHeads(left, right) {
  return left.length === right.length && left.every((hash, index) => hash === right[index])
}
