package dms.fieldapp

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.jsonArray

/**
 * A real `dms-server serve` on a free loopback port, with one tenant, the built-in catalog of
 * 24 products and a partner user's token, in a fresh data folder.
 *
 * scripts/test-kotlin.sh passes the paths as system properties: `dms.server.bin` (the
 * server binary) and `dms.workspace` (the repository root, for the catalog CSV).
 */
class TestServer private constructor(
    val url: String,
    val token: String,
    private val process: Process,
    private val dataDir: Path,
) : AutoCloseable {
    companion object {
        const val TENANT_ID = "acme-foods"
        const val PARTNER_USER_ID = "partner-user-1"
        const val PARTNER_PARTY_ID = "retailer-17"

        private const val START_TIMEOUT_SECONDS = 30L
        private const val STOP_TIMEOUT_SECONDS = 10L

        private fun requiredPath(property: String): Path {
            val value = System.getProperty(property)
                ?: error("system property $property is not set; run the tests with scripts/test-kotlin.sh")
            return Path.of(value)
        }

        val serverBin: Path by lazy {
            requiredPath("dms.server.bin").also {
                check(Files.isExecutable(it)) { "server binary not found at $it; run `cargo build -p dms-server`" }
            }
        }

        private val catalogCsv: Path by lazy {
            requiredPath("dms.workspace").resolve("sync-server/src/demo/builtin_catalog.csv")
        }

        /** Runs one `dms-server admin` command and returns its standard output. */
        private fun admin(vararg args: String): String {
            val command = listOf(serverBin.toString(), "admin", *args)
            val process = ProcessBuilder(command).redirectErrorStream(true).start()
            val output = process.inputStream.bufferedReader().readText()
            check(process.waitFor(60, TimeUnit.SECONDS)) { "${command.joinToString(" ")} timed out after 60 s" }
            check(process.exitValue() == 0) {
                "${command.joinToString(" ")} exited with ${process.exitValue()}:\n$output"
            }
            return output
        }

        fun start(): TestServer {
            val dataDir = Files.createTempDirectory("dms-kotlin-server")
            val data = arrayOf("--data-dir", dataDir.toString(), "--tenant", TENANT_ID)
            admin("create-tenant", *data, "--name", "Acme Foods")
            admin("import-catalog", *data, catalogCsv.toString())
            val token = admin(
                "issue-token", *data, "--user", PARTNER_USER_ID, "--role", "partner", "--party", PARTNER_PARTY_ID,
            ).trim()
            check(token.isNotEmpty()) { "issue-token printed no token" }

            val log = dataDir.resolve("server.log").toFile()
            val process = ProcessBuilder(
                serverBin.toString(), "serve", "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0",
            ).redirectError(log).start()

            // The server prints `listening on http://127.0.0.1:PORT` first. A separate read
            // with a timeout keeps a server that hangs before printing from hanging the tests.
            val stdout = BufferedReader(InputStreamReader(process.inputStream))
            val firstLine = try {
                CompletableFuture.supplyAsync { stdout.readLine() }.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            } catch (error: TimeoutException) {
                null
            }
            val prefix = "listening on "
            if (firstLine == null || !firstLine.startsWith(prefix)) {
                process.destroyForcibly()
                error(
                    "server did not report its address within $START_TIMEOUT_SECONDS s " +
                        "(first line: $firstLine); log:\n${log.readText()}",
                )
            }
            return TestServer(firstLine.removePrefix(prefix).trim(), token, process, dataDir)
        }
    }

    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    /** Returns the order requests the partner may read, from `GET /api/v1/order-requests`. */
    fun orderRequests(): JsonArray {
        val request = HttpRequest.newBuilder(URI.create("$url/api/v1/order-requests"))
            .header("Authorization", "Bearer $token")
            .timeout(Duration.ofSeconds(10))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "GET /api/v1/order-requests returned ${response.statusCode()}: ${response.body()}" }
        return Json.parseToJsonElement(response.body()).jsonArray
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor()
        }
        dataDir.toFile().deleteRecursively()
    }
}
