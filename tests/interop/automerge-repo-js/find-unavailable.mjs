// Asks the dms sync server for a document this peer must not get, and succeeds only when
// automerge-repo reports it unavailable.
//
// usage: node find-unavailable.mjs <syncUrl> <token> <documentId>
//
// In automerge-repo 2.5.6, Repo.find() rejects with "Document <id> is unavailable" unless
// "unavailable" is among its allowableStates; with it, find() resolves with a handle in the
// "unavailable" state. That state is also reached when no peer is connected, or after the
// handle's 60 s timeout, so this peer waits for the server's `peer` message first and fails
// unless the server sent `doc-unavailable` for the document.
//
// Prints one JSON line: documentId, handleState and serverSentDocUnavailable.

import {
  PeerFailure,
  WAIT_TIMEOUT_MS,
  connect,
  plain,
  positionalArguments,
  runPeer,
  waitForServerPeer,
} from "./lib/peer.mjs"

const USAGE = "node find-unavailable.mjs <syncUrl> <token> <documentId>"

runPeer("find-unavailable", async () => {
  const [syncUrl, token, documentId] = positionalArguments(USAGE, 3)

  const { repo, adapter } = connect(syncUrl, token)
  // With no peer connected, automerge-repo reports every document unavailable at once.
  await waitForServerPeer(repo, adapter)
  let handle
  try {
    handle = await repo.find(documentId, {
      allowableStates: ["ready", "unavailable"],
      signal: AbortSignal.timeout(WAIT_TIMEOUT_MS),
    })
  } catch (error) {
    throw new PeerFailure(`find ${documentId} neither became ready nor unavailable: ${error.message}`)
  }

  if (handle.isReady()) {
    const content = JSON.stringify(plain(handle.doc()))
    throw new PeerFailure(`expected document ${documentId} to be unavailable, but the server sent it: ${content}`)
  }
  if (adapter.serverErrors.length > 0) {
    throw new PeerFailure(`the server sent error ${JSON.stringify(adapter.serverErrors[0])}`)
  }
  if (!adapter.unavailableDocuments.has(handle.documentId)) {
    throw new PeerFailure(`find reported ${documentId} unavailable, but the server sent no doc-unavailable for it`)
  }

  const result = {
    documentId: handle.documentId,
    handleState: handle.state,
    serverSentDocUnavailable: adapter.unavailableDocuments.has(handle.documentId),
  }
  await repo.shutdown()
  return result
})
