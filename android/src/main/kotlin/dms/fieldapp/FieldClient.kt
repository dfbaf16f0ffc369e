package dms.fieldapp

import java.math.BigDecimal
import java.nio.file.Path
import java.time.OffsetDateTime
import uniffi.dms_ffi.DeviceClient
import uniffi.dms_ffi.DeviceSettings
import uniffi.dms_ffi.DispatchedLineRecord

/**
 * The field app's handle on one device store: catalog, carts, sync, delivery acknowledgements,
 * visit plans and check-ins, over the generated uniffi bindings (`uniffi.dms_ffi`).
 *
 * Every call except [syncNow] reads or writes SQLite on the caller's thread and commits each
 * edit with a full fsync before it returns, so call them off the main thread. Every call
 * raises [FieldError] for a failure the library reports. Close the client to close the store.
 */
class FieldClient private constructor(private val device: DeviceClient) : AutoCloseable {
    companion object {
        /** Opens the store at [storePath], creating the file and its folder if needed. */
        fun open(storePath: Path, settings: FieldSettings): FieldClient {
            val deviceSettings = DeviceSettings(
                serverUrl = settings.serverUrl,
                accessToken = settings.accessToken,
                refreshToken = settings.refreshToken,
                tenantId = settings.tenantId,
                userId = settings.userId,
                partyId = settings.partyId,
                deviceId = settings.deviceId,
            )
            return FieldClient(mapErrors { DeviceClient.open(storePath.toString(), deviceSettings) })
        }
    }

    override fun close() = device.close()

    // ---- catalog ----

    /** Searches the cached catalog by name, brand and category. */
    fun searchCatalog(query: String, limit: Int = 20): List<Product> {
        require(limit >= 0) { "limit must not be negative, got $limit" }
        return mapErrors { device.searchCatalog(query, limit.toUInt()) }.map { it.toProduct() }
    }

    /** Returns a product from the cached catalog, or `null` if the catalog lacks it. */
    fun product(productId: String): Product? = mapErrors { device.product(productId) }?.toProduct()

    // ---- carts ----

    /** Creates an empty draft cart and returns its id. Partner users pass no buyer, and staff must name one. */
    fun createCart(buyerId: String? = null): String = mapErrors { device.createCart(buyerId) }

    /** Lists the carts on this device in creation order. */
    fun carts(): List<CartSummary> = mapErrors { device.carts() }.map { it.toCartSummary() }

    /** Adds [quantity] packs to a product's line, starting the line if needed, and returns the new quantity. */
    fun addToLine(cartId: String, productId: String, quantity: BigDecimal): BigDecimal {
        val newQuantity = mapErrors { device.addLine(cartId, productId, quantity.toLibraryText()) }
        return decimal(newQuantity, "quantity")
    }

    /** Sets a product's quantity on a cart, adding the line if needed. */
    fun setLine(cartId: String, productId: String, quantity: BigDecimal) =
        mapErrors { device.setLine(cartId, productId, quantity.toLibraryText()) }

    fun removeLine(cartId: String, productId: String) = mapErrors { device.removeLine(cartId, productId) }

    /** Returns a cart's lines ordered by product id, priced from the device's catalog and pricing terms. */
    fun cartLines(cartId: String): List<CartLine> = mapErrors { device.cartLines(cartId) }.map { it.toCartLine() }

    fun cartTotals(cartId: String): CartTotals = mapErrors { device.cartTotals(cartId) }.toCartTotals()

    /** Marks a cart submitted. The next sync makes the order request, and the cart can no longer change. */
    fun submit(cartId: String) = mapErrors { device.submit(cartId) }

    // ---- sync ----

    fun syncStatus(): SyncStatus = mapErrors { device.syncStatus() }.toSyncStatus()

    /**
     * Runs one sync round: catalog and pricing terms, then every document, until both sides
     * agree or the round times out after 60 seconds. The round runs on the library's own
     * threads and finishes even if the calling coroutine is cancelled.
     */
    suspend fun syncNow(): SyncReport = mapErrors { device.syncNow() }.toSyncReport()

    // ---- delivery acknowledgements (drivers) ----

    /** Starts the acknowledgement of a shipment with its dispatched quantities by product, and returns its id. */
    fun startAcknowledgement(
        shipmentId: String,
        buyerId: String,
        vehicleNumber: String,
        dispatched: Map<String, BigDecimal>,
    ): String {
        val lines = dispatched.map { (productId, quantity) -> DispatchedLineRecord(productId, quantity.toLibraryText()) }
        return mapErrors { device.startAcknowledgement(shipmentId, buyerId, vehicleNumber, lines) }
    }

    /** Records one line's short and damaged quantities, and why. */
    fun recordDeliveredLine(ackId: String, productId: String, short: BigDecimal, damaged: BigDecimal, reason: String?) =
        mapErrors { device.recordDeliveredLine(ackId, productId, short.toLibraryText(), damaged.toLibraryText(), reason) }

    fun setReceiver(ackId: String, name: String, phone: String) = mapErrors { device.setReceiver(ackId, name, phone) }

    /** Stores the signature image on the device, attaches it and returns its SHA-256. The next sync uploads it. */
    fun attachSignature(ackId: String, image: ByteArray, mediaType: String): String =
        mapErrors { device.attachSignature(ackId, image, mediaType) }

    /** Stores a photo on the device, adds it and returns its SHA-256. The next sync uploads it. */
    fun addDeliveryPhoto(ackId: String, image: ByteArray, mediaType: String): String =
        mapErrors { device.addDeliveryPhoto(ackId, image, mediaType) }

    /** Records the time (now) and place of the delivery. */
    fun captureDelivery(ackId: String, position: GeoPosition) = mapErrors {
        val (latitude, longitude, accuracy) = position.toLibraryText()
        device.captureDelivery(ackId, latitude, longitude, accuracy)
    }

    /** Signs the acknowledgement off. Afterwards every edit raises [FieldError.InvalidInput]. */
    fun signOff(ackId: String): Acknowledgement = mapErrors { device.signOff(ackId) }.toAcknowledgement()

    fun acknowledgement(ackId: String): Acknowledgement = mapErrors { device.acknowledgement(ackId) }.toAcknowledgement()

    // ---- visits (sales reps) ----

    /**
     * Creates a visit plan for [repId] (this user when `null`) over a period, and returns its
     * id. Planning for another rep needs the organisation's admin, which the server checks at sync.
     */
    fun createVisitPlan(periodFrom: OffsetDateTime, periodTo: OffsetDateTime, repId: String? = null): String =
        mapErrors { device.createVisitPlan(repId, periodFrom.toLibraryText(), periodTo.toLibraryText()) }

    /** Lists the visit plans on this device in creation order. */
    fun visitPlans(): List<VisitPlanSummary> = mapErrors { device.visitPlans() }.map { it.toVisitPlanSummary() }

    /** Returns a visit plan on this device with its visits. */
    fun visitPlan(planId: String): VisitPlan = mapErrors { device.visitPlan(planId) }.toVisitPlan()

    /** Plans a visit for the plan's rep and returns its id. */
    fun addPlannedVisit(planId: String, visit: VisitDraft): String =
        mapErrors { device.addPlannedVisit(planId, visit.toRecord()) }


    /** Checks in to a visit, now, at [position]. */
    fun checkIn(planId: String, visitId: String, position: GeoPosition) = mapErrors {
        val (latitude, longitude, accuracy) = position.toLibraryText()
        device.checkIn(planId, visitId, latitude, longitude, accuracy)
    }

    /** Checks out of a visit, now, at [position]. */
    fun checkOut(planId: String, visitId: String, position: GeoPosition) = mapErrors {
        val (latitude, longitude, accuracy) = position.toLibraryText()
        device.checkOut(planId, visitId, latitude, longitude, accuracy)
    }

    fun recordVisitOutcome(planId: String, visitId: String, notes: String, outcome: String) =
        mapErrors { device.recordVisitOutcome(planId, visitId, notes, outcome) }
}

/** Latitude, longitude and accuracy as the library's decimal text, in that order. */
private fun GeoPosition.toLibraryText(): Array<String> =
    arrayOf(latitude.toLibraryText(), longitude.toLibraryText(), accuracyMetres.toLibraryText())
