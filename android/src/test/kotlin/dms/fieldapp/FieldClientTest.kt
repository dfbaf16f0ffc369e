package dms.fieldapp

import java.math.BigDecimal
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Path
import java.security.MessageDigest
import java.time.Duration
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.temporal.ChronoUnit
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

// Catalog prices from sync-server/src/demo/builtin_catalog.csv (selling price per pack).
private const val TOOR_DAL = "DM-001" // 172.50
private const val BASMATI_RICE = "DM-002" // 499.00
private const val GROUNDNUT_OIL = "DM-004" // 362.25

/** A ULID no device or server has made, for ids that must parse but match nothing. */
private const val UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

/** Tests of [FieldClient] over the real compiled library, with a real dms-server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FieldClientTest {
    private lateinit var server: TestServer

    @TempDir
    lateinit var storeDir: Path

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    private fun openPartnerPhone(
        name: String,
        url: String = server.url,
        token: String = server.token,
    ): FieldClient = FieldClient.open(
        storeDir.resolve(name).resolve("device.sqlite"),
        FieldSettings(
            serverUrl = url,
            accessToken = token,
            tenantId = TestServer.TENANT_ID,
            userId = TestServer.PARTNER_USER_ID,
            deviceId = name,
            partyId = TestServer.PARTNER_PARTY_ID,
        ),
    )

    /** Asserts that [time] lies between [before] and [after], allowing 1 s for clock rounding. */
    private fun assertBetween(before: OffsetDateTime, time: OffsetDateTime, after: OffsetDateTime) {
        val slack = Duration.ofSeconds(1)
        assertFalse(time.isBefore(before.minus(slack)), "$time is before $before")
        assertFalse(time.isAfter(after.plus(slack)), "$time is after $after")
    }

    @Test
    fun `cart totals and order request`() {
        openPartnerPhone("phone-cart").use { phone ->
            val beforeSync = OffsetDateTime.now()
            val report = runBlocking { phone.syncNow() }
            assertTrue(report.catalogUpdated)
            val status = phone.syncStatus()
            assertEquals(24L, status.catalogProducts)
            assertEquals(0, status.pendingDocuments)
            assertNull(status.lastSyncError)
            assertNotNull(status.lastSyncAt)
            assertBetween(beforeSync, status.lastSyncAt!!, OffsetDateTime.now())

            val dal = phone.product(TOOR_DAL)
            assertNotNull(dal)
            assertEquals("Toor Dal (Arhar)", dal!!.name)
            assertEquals(BigDecimal("172.50"), dal.sellingPrice)
            assertEquals(BigDecimal("189.00"), dal.mrp)
            assertNull(phone.product("DM-999"))

            val cartId = phone.createCart()
            assertEquals(BigDecimal("1.5"), phone.addToLine(cartId, TOOR_DAL, BigDecimal("1.5")))
            assertEquals(BigDecimal("2.5"), phone.addToLine(cartId, TOOR_DAL, BigDecimal.ONE))
            phone.setLine(cartId, GROUNDNUT_OIL, BigDecimal("2"))
            // 1E+1 is ten packs; BigDecimal.toString() writes it as "1E+1", which the library rejects.
            phone.setLine(cartId, BASMATI_RICE, BigDecimal("1E+1"))

            val lines = phone.cartLines(cartId).associateBy { it.productId }
            assertEquals(listOf(TOOR_DAL, BASMATI_RICE, GROUNDNUT_OIL), phone.cartLines(cartId).map { it.productId })
            assertEquals(BigDecimal("2.5"), lines.getValue(TOOR_DAL).quantity)
            assertEquals(BigDecimal("172.50"), lines.getValue(TOOR_DAL).unitPrice)
            assertEquals(BigDecimal("431.25"), lines.getValue(TOOR_DAL).lineTotal)
            assertEquals(BigDecimal("10"), lines.getValue(BASMATI_RICE).quantity)
            assertEquals(BigDecimal("4990.00"), lines.getValue(BASMATI_RICE).lineTotal)
            assertEquals(BigDecimal("2"), lines.getValue(GROUNDNUT_OIL).quantity)
            assertEquals(BigDecimal("724.50"), lines.getValue(GROUNDNUT_OIL).lineTotal)
            assertEquals(BigDecimal("0.00"), lines.getValue(TOOR_DAL).discount)
            assertNull(lines.getValue(TOOR_DAL).gstRate)

            // 431.25 + 4990.00 + 724.50; amounts keep two decimal places, so equals() checks the paisa.
            val totals = phone.cartTotals(cartId)
            assertEquals(3, totals.lineCount)
            assertEquals(BigDecimal("14.5"), totals.totalQuantity)
            assertEquals(BigDecimal("6145.75"), totals.total)
            assertEquals(BigDecimal("6145.75"), totals.grossAmount)
            assertEquals(BigDecimal("0.00"), totals.discount)
            // The built-in catalog has no HSN codes or GST rates, so the device prices at selling price.
            assertEquals(PricingMethod.SELLING_PRICE, totals.pricingMethod)
            assertTrue(totals.fallbackReason!!.contains("without pricing data"), totals.fallbackReason)
            assertNull(totals.tax)

            val draft = phone.carts().single()
            assertEquals(cartId, draft.cartId)
            assertEquals(TestServer.PARTNER_PARTY_ID, draft.buyerId)
            assertEquals(CartStatus.DRAFT, draft.status)
            assertEquals(3, draft.lineCount)
            assertTrue(draft.hasUnsyncedEdits)

            phone.submit(cartId)
            runBlocking { phone.syncNow() }
            assertEquals(0, phone.syncStatus().pendingDocuments)
            assertEquals(CartStatus.SUBMITTED, phone.carts().single().status)

            val order = server.orderRequests().single { it.jsonObject["cart_id"]!!.jsonPrimitive.content == cartId }.jsonObject
            assertEquals(TestServer.PARTNER_PARTY_ID, order["buyer_id"]!!.jsonPrimitive.content)
            assertEquals("phone-cart", order["submitted_from_device"]!!.jsonPrimitive.content)
            assertEquals("6145.75", order["total"]!!.jsonPrimitive.content)
            val orderLines = order["lines"]!!.jsonArray.associate {
                val line = it.jsonObject
                line["product_id"]!!.jsonPrimitive.content to BigDecimal(line["quantity"]!!.jsonPrimitive.content)
            }
            assertEquals(
                mapOf(TOOR_DAL to BigDecimal("2.5"), BASMATI_RICE to BigDecimal("10"), GROUNDNUT_OIL to BigDecimal("2")),
                orderLines,
            )

            val refused = assertThrows<FieldError.CartSubmitted> { phone.addToLine(cartId, TOOR_DAL, BigDecimal.ONE) }
            assertTrue(refused.message.contains(cartId), refused.message)
        }
    }

    @Test
    fun `negative quantity is InvalidInput`() {
        openPartnerPhone("phone-negative").use { phone ->
            val cartId = phone.createCart()

            val error = assertThrows<FieldError.InvalidInput> { phone.setLine(cartId, TOOR_DAL, BigDecimal("-3")) }

            // The library's message, without the "reason=" prefix of the generated exception.
            assertEquals("invalid quantity \"-3\": must be greater than zero", error.message)
            assertTrue(phone.cartLines(cartId).isEmpty())
        }
    }

    @Test
    fun `unknown product is NotFound`() {
        openPartnerPhone("phone-unknown-product").use { phone ->
            runBlocking { phone.syncNow() }
            val cartId = phone.createCart()

            val error = assertThrows<FieldError.NotFound> { phone.addToLine(cartId, "DM-999", BigDecimal.ONE) }

            assertTrue(error.message.contains("DM-999"), error.message)
        }
    }

    @Test
    fun `empty cart submit is InvalidInput`() {
        openPartnerPhone("phone-empty-cart").use { phone ->
            val cartId = phone.createCart()

            val error = assertThrows<FieldError.InvalidInput> { phone.submit(cartId) }

            assertTrue(error.message.contains("has no lines"), error.message)
        }
    }

    @Test
    fun `unreachable server is Network`() {
        val port = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
        openPartnerPhone("phone-offline", url = "http://127.0.0.1:$port").use { phone ->
            assertThrows<FieldError.Network> { runBlocking { phone.syncNow() } }

            val status = phone.syncStatus()
            assertNotNull(status.lastSyncError)
            assertNull(status.lastSyncAt)
        }
    }

    @Test
    fun `rejected token is Refused`() {
        openPartnerPhone("phone-bad-token", token = "not-a-valid-token").use { phone ->
            val error = assertThrows<FieldError.Refused> { runBlocking { phone.syncNow() } }

            assertTrue(error.message.contains("401"), error.message)
        }
    }

    @Test
    fun `acknowledgement signed off offline`() {
        val settings = FieldSettings(
            serverUrl = server.url,
            accessToken = server.token,
            tenantId = TestServer.TENANT_ID,
            userId = "driver-7",
            deviceId = "driver-phone",
        )
        FieldClient.open(storeDir.resolve("driver-phone/device.sqlite"), settings).use { driver ->
            val ackId = driver.startAcknowledgement(
                shipmentId = UNKNOWN_ULID,
                buyerId = TestServer.PARTNER_PARTY_ID,
                vehicleNumber = "MH12AB1234",
                dispatched = mapOf(TOOR_DAL to BigDecimal("1E+1"), GROUNDNUT_OIL to BigDecimal("4")),
            )
            driver.recordDeliveredLine(ackId, TOOR_DAL, BigDecimal("1.5"), BigDecimal("0.5"), "two packs torn")
            driver.setReceiver(ackId, "Asha Patil", "+919800000017")
            val signature = byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 1, 2, 3)
            val signatureSha256 = driver.attachSignature(ackId, signature, "image/png")
            val expectedSha256 = MessageDigest.getInstance("SHA-256").digest(signature)
                .joinToString("") { "%02x".format(it) }
            assertEquals(expectedSha256, signatureSha256)
            driver.captureDelivery(ackId, GeoPosition(BigDecimal("19.0760"), BigDecimal("72.8777"), BigDecimal("12.5")))

            val beforeSignOff = OffsetDateTime.now()
            val signed = driver.signOff(ackId)
            val afterSignOff = OffsetDateTime.now()

            assertEquals(ackId, signed.ackId)
            assertEquals("driver-7", signed.signedBy)
            assertNotNull(signed.signedAt)
            // The library writes UTC; the offset must survive the conversion.
            assertEquals(ZoneOffset.UTC, signed.signedAt!!.offset)
            assertBetween(beforeSignOff, signed.signedAt, afterSignOff)
            assertEquals(expectedSha256, signed.signatureSha256)
            assertEquals("Asha Patil", signed.receiverName)
            val dal = signed.lines.single { it.productId == TOOR_DAL }
            assertEquals(BigDecimal("10"), dal.dispatched)
            assertEquals(BigDecimal("8"), dal.delivered)
            assertEquals(BigDecimal("1.5"), dal.short)
            assertEquals(BigDecimal("0.5"), dal.damaged)
            assertEquals("two packs torn", dal.reason)
            assertEquals(signed, driver.acknowledgement(ackId))

            val error = assertThrows<FieldError.InvalidInput> { driver.setReceiver(ackId, "Someone Else", "+919800000018") }
            assertTrue(error.message.contains("signed"), error.message)
        }
    }

    @Test
    fun `visit planned, checked in and out`() {
        val settings = FieldSettings(
            serverUrl = server.url,
            accessToken = server.token,
            tenantId = TestServer.TENANT_ID,
            userId = "rep-3",
            deviceId = "rep-phone",
        )
        FieldClient.open(storeDir.resolve("rep-phone/device.sqlite"), settings).use { rep ->
            // Whole minutes in India Standard Time: OffsetDateTime.toString() would write
            // 00:00+05:30 without seconds, which the library rejects, and the offset must come back.
            val india = ZoneOffset.ofHoursMinutes(5, 30)
            val today = OffsetDateTime.now(india).truncatedTo(ChronoUnit.DAYS)
            val tomorrow = today.plusDays(1)
            val planId = rep.createVisitPlan(today, tomorrow)
            val visitId = rep.addPlannedVisit(
                planId,
                VisitDraft(TestServer.PARTNER_PARTY_ID, today, tomorrow, objectives = listOf("collect the order")),
            )

            val summary = rep.visitPlans().single()
            assertEquals(planId, summary.planId)
            assertEquals("rep-3", summary.repId)
            assertEquals(today, summary.periodFrom)
            assertEquals(1, summary.visitCount)

            val beforeCheckIn = OffsetDateTime.now()
            rep.checkIn(planId, visitId, GeoPosition(BigDecimal("19.0760"), BigDecimal("72.8777"), BigDecimal("12.5")))
            rep.checkOut(planId, visitId, GeoPosition(BigDecimal("19.0761"), BigDecimal("72.8778"), BigDecimal("8")))
            rep.recordVisitOutcome(planId, visitId, "shelf space agreed", "order taken")
            val afterCheckOut = OffsetDateTime.now()

            val plan = rep.visitPlan(planId)
            assertEquals(today, plan.periodFrom)
            assertEquals(tomorrow, plan.periodTo)
            assertEquals("rep-3", plan.createdBy)
            assertBetween(beforeCheckIn.minusMinutes(1), plan.createdAt, afterCheckOut)
            val visit = plan.visits.single()
            assertEquals(visitId, visit.visitId)
            assertEquals(TestServer.PARTNER_PARTY_ID, visit.partyId)
            assertEquals("rep-3", visit.owner)
            assertEquals(today, visit.windowFrom)
            assertEquals(india, visit.windowFrom.offset)
            assertEquals(tomorrow, visit.windowTo)
            assertEquals(listOf("collect the order"), visit.objectives)
            assertEquals(VisitStatus.COMPLETED, visit.status)
            assertEquals("order taken", visit.outcome)
            assertEquals("shelf space agreed", visit.notes)

            val checkIn = visit.checkIn!!
            assertBetween(beforeCheckIn, checkIn.at, afterCheckOut)
            assertEquals(0, BigDecimal("19.0760").compareTo(checkIn.position.latitude), "${checkIn.position}")
            assertEquals(0, BigDecimal("72.8777").compareTo(checkIn.position.longitude), "${checkIn.position}")
            assertEquals(0, BigDecimal("12.5").compareTo(checkIn.position.accuracyMetres), "${checkIn.position}")
            val checkOut = visit.checkOut!!
            assertFalse(checkOut.at.isBefore(checkIn.at), "check-out ${checkOut.at} is before check-in ${checkIn.at}")
            assertEquals(0, BigDecimal("8").compareTo(checkOut.position.accuracyMetres), "${checkOut.position}")

            val again = assertThrows<FieldError.InvalidInput> {
                rep.checkIn(planId, visitId, checkIn.position)
            }
            assertEquals("visit $visitId is already checked in", again.message)
        }
    }

    @Test
    fun `check-in on unknown plan is NotFound`() {
        openPartnerPhone("phone-visits").use { phone ->
            val here = GeoPosition(BigDecimal("19.0760"), BigDecimal("72.8777"), BigDecimal("12.5"))

            val missing = assertThrows<FieldError.NotFound> { phone.checkIn(UNKNOWN_ULID, UNKNOWN_ULID, here) }
            assertTrue(missing.message.isNotBlank())

            val offMap = here.copy(latitude = BigDecimal("91"))
            val invalid = assertThrows<FieldError.InvalidInput> { phone.checkIn(UNKNOWN_ULID, UNKNOWN_ULID, offMap) }
            assertTrue(invalid.message.contains("91"), invalid.message)
        }
    }
}
