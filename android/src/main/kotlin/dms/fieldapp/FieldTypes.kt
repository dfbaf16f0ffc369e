package dms.fieldapp

import java.math.BigDecimal
import java.time.OffsetDateTime
import java.time.format.DateTimeFormatter
import java.time.format.DateTimeParseException
import uniffi.dms_ffi.AcknowledgementRecord
import uniffi.dms_ffi.CartLineRecord
import uniffi.dms_ffi.CartSummaryRecord
import uniffi.dms_ffi.CartTotalsRecord
import uniffi.dms_ffi.FreeGoodsRecord
import uniffi.dms_ffi.PricingMethodRecord
import uniffi.dms_ffi.ProductRecord
import uniffi.dms_ffi.SchemeRecord
import uniffi.dms_ffi.SyncReportRecord
import uniffi.dms_ffi.SyncStatusRecord
import uniffi.dms_ffi.TaxRecord
import uniffi.dms_ffi.VisitDraftRecord
import uniffi.dms_ffi.VisitPlanRecord
import uniffi.dms_ffi.VisitPlanSummaryRecord
import uniffi.dms_ffi.VisitRecord
import uniffi.dms_ffi.CartStatus as RecordCartStatus
import uniffi.dms_ffi.PresenceRecord
import uniffi.dms_ffi.VisitStatus as RecordVisitStatus

// The app's types for the device client's records. Amounts (two decimal places, as the
// library writes them) and quantities are BigDecimal parsed from the library's decimal text,
// so `total == BigDecimal("1155.75")` compares to the paisa. Timestamps are OffsetDateTime with
// the offset the library wrote.

/** The server and identity a device store syncs with, as `DeviceSettings` in mobile-ffi/README.md. */
data class FieldSettings(
    val serverUrl: String,
    val accessToken: String,
    val tenantId: String,
    val userId: String,
    val deviceId: String,
    /** The partner a partner user buys for, or `null` for staff. */
    val partyId: String? = null,
    val refreshToken: String? = null,
)

/** A position in decimal degrees, with its accuracy in metres. */
data class GeoPosition(val latitude: BigDecimal, val longitude: BigDecimal, val accuracyMetres: BigDecimal)

data class Product(
    val productId: String,
    val name: String,
    val brand: String,
    val mrp: BigDecimal,
    val sellingPrice: BigDecimal,
    val packSize: String,
    val category: String,
    val subCategory: String,
)

enum class CartStatus { DRAFT, SUBMITTED }

data class CartSummary(
    val cartId: String,
    val buyerId: String,
    val status: CartStatus,
    val lineCount: Int,
    val hasUnsyncedEdits: Boolean,
)

/** A scheme applied to a line or an order, with the amount it took off. */
data class AppliedScheme(val schemeId: String, val schemeName: String, val amount: BigDecimal, val explanation: String)

data class CartLine(
    val productId: String,
    val productName: String,
    val quantity: BigDecimal,
    val unitPrice: BigDecimal,
    val lineTotal: BigDecimal,
    /** Quantities other phones set concurrently, which the merge did not keep. */
    val conflictingQuantities: List<BigDecimal>,
    val grossAmount: BigDecimal,
    val discount: BigDecimal,
    val netAmount: BigDecimal,
    /** The GST rate in percent, or `null` when the product has none. */
    val gstRate: BigDecimal?,
    val tax: BigDecimal,
    val schemes: List<AppliedScheme>,
)

/** The method a cart was priced with: the pricing engine, or selling price when pricing data is missing. */
enum class PricingMethod { ENGINE, SELLING_PRICE }

data class TaxSummary(
    val taxableValue: BigDecimal,
    val cgst: BigDecimal,
    val sgst: BigDecimal,
    val igst: BigDecimal,
    val roundOff: BigDecimal,
    val grandTotal: BigDecimal,
)

data class FreeGoods(
    val productId: String,
    val productName: String,
    val quantity: BigDecimal,
    val unit: String,
    val schemeId: String,
    val earnedBy: String,
    val explanation: String,
)

data class CartTotals(
    val lineCount: Int,
    val totalQuantity: BigDecimal,
    val total: BigDecimal,
    val pricingMethod: PricingMethod,
    /** The reason the cart was priced at selling price, or `null` when the engine priced it. */
    val fallbackReason: String?,
    val grossAmount: BigDecimal,
    val discount: BigDecimal,
    val tax: TaxSummary?,
    val freeLines: List<FreeGoods>,
    val orderSchemes: List<AppliedScheme>,
    val schemeIds: List<String>,
)

data class SyncReport(
    val documentsSynced: Int,
    val documentsReceived: Int,
    val changesReceived: Int,
    val catalogUpdated: Boolean,
    val catalogVersion: Long,
    val pricingTermsUpdated: Boolean,
    val documentsUnavailable: Int,
    val documentsUnconfirmed: Int,
)

/** A document the server refused, with its reason. */
data class RefusedDocument(val documentId: String, val reason: String)

data class SyncStatus(
    val pendingDocuments: Int,
    val catalogVersion: Long?,
    val catalogProducts: Long,
    val lastSyncAt: OffsetDateTime?,
    val lastSyncError: String?,
    val refusedDocuments: List<RefusedDocument>,
)

/** One line of an acknowledgement: `delivered + short + damaged = dispatched`. */
data class AcknowledgedLine(
    val productId: String,
    val dispatched: BigDecimal,
    val delivered: BigDecimal,
    val short: BigDecimal,
    val damaged: BigDecimal,
    val reason: String?,
)

data class Acknowledgement(
    val ackId: String,
    val shipmentId: String,
    val buyerId: String,
    val vehicleNumber: String,
    val lines: List<AcknowledgedLine>,
    val receiverName: String?,
    val signatureSha256: String?,
    val photoSha256s: List<String>,
    /** The signer's user id and the sign-off time. Once they are set, the acknowledgement can no longer change. */
    val signedBy: String?,
    val signedAt: OffsetDateTime?,
    val contentSha256: String?,
)

/** A visit to plan: the party to visit and the time window, inside the plan's period. */
data class VisitDraft(
    val partyId: String,
    val windowFrom: OffsetDateTime,
    val windowTo: OffsetDateTime,
    val objectives: List<String> = emptyList(),
    /** User ids of the people who come along. */
    val attendees: List<String> = emptyList(),
)

/** The time and place of a check-in or check-out. */
data class Presence(val at: OffsetDateTime, val position: GeoPosition)

enum class VisitStatus { PLANNED, IN_PROGRESS, COMPLETED, CANCELLED }

/** One visit of a plan. Vehicles and follow-ups are in the generated `VisitRecord` only. */
data class Visit(
    val visitId: String,
    val partyId: String,
    val owner: String,
    /** Owners assigned at the same time on other devices, which the merge did not keep. */
    val conflictingOwners: List<String>,
    val windowFrom: OffsetDateTime,
    val windowTo: OffsetDateTime,
    val unplanned: Boolean,
    val objectives: List<String>,
    val attendees: List<String>,
    val checkIn: Presence?,
    val checkOut: Presence?,
    val notes: String?,
    val outcome: String?,
    val cancelled: Boolean,
    val status: VisitStatus,
)

data class VisitPlan(
    val planId: String,
    val repId: String,
    val periodFrom: OffsetDateTime,
    val periodTo: OffsetDateTime,
    val createdBy: String,
    val createdAt: OffsetDateTime,
    val visits: List<Visit>,
)

data class VisitPlanSummary(
    val planId: String,
    val repId: String,
    val periodFrom: OffsetDateTime,
    val periodTo: OffsetDateTime,
    val visitCount: Int,
    val hasUnsyncedEdits: Boolean,
)

// ---- conversions from the generated records ----

/** Parses the library's decimal text. Text that does not parse is a bindings failure, not bad input. */
internal fun decimal(text: String, field: String): BigDecimal =
    try {
        BigDecimal(text)
    } catch (error: NumberFormatException) {
        throw FieldError.Internal("invalid decimal $text for $field from the library", error)
    }

/** Parses an RFC 3339 timestamp from the library, keeping its offset. */
internal fun timestamp(text: String, field: String): OffsetDateTime =
    try {
        OffsetDateTime.parse(text)
    } catch (error: DateTimeParseException) {
        throw FieldError.Internal("invalid timestamp $text for $field from the library", error)
    }

/**
 * Writes a timestamp as RFC 3339, which the library reads. `OffsetDateTime.toString()` leaves
 * out zero seconds (`09:00+05:30`), which RFC 3339 does not allow, so this uses the ISO
 * formatter, which always writes them.
 */
internal fun OffsetDateTime.toLibraryText(): String = format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)

/**
 * Writes a decimal as the library reads it: plain digits, never exponent notation, because
 * `BigDecimal("1E+1").toString()` is `1E+1` and the library rejects that text.
 */
internal fun BigDecimal.toLibraryText(): String = toPlainString()

internal fun ProductRecord.toProduct() = Product(
    productId = productId,
    name = name,
    brand = brand,
    mrp = decimal(mrp, "mrp"),
    sellingPrice = decimal(sellingPrice, "selling price"),
    packSize = packSize,
    category = category,
    subCategory = subCategory,
)

internal fun CartSummaryRecord.toCartSummary() = CartSummary(
    cartId = cartId,
    buyerId = buyerId,
    status = when (status) {
        RecordCartStatus.DRAFT -> CartStatus.DRAFT
        RecordCartStatus.SUBMITTED -> CartStatus.SUBMITTED
    },
    lineCount = lineCount.toInt(),
    hasUnsyncedEdits = hasUnsyncedEdits,
)

internal fun SchemeRecord.toAppliedScheme() =
    AppliedScheme(schemeId, schemeName, decimal(amount, "scheme amount"), explanation)

internal fun CartLineRecord.toCartLine() = CartLine(
    productId = productId,
    productName = productName,
    quantity = decimal(quantity, "quantity"),
    unitPrice = decimal(unitPrice, "unit price"),
    lineTotal = decimal(lineTotal, "line total"),
    conflictingQuantities = conflictingQuantities.map { decimal(it, "conflicting quantity") },
    grossAmount = decimal(grossAmount, "gross amount"),
    discount = decimal(discount, "discount"),
    netAmount = decimal(netAmount, "net amount"),
    gstRate = gstRate?.let { decimal(it, "GST rate") },
    tax = decimal(tax, "tax"),
    schemes = schemes.map { it.toAppliedScheme() },
)

internal fun TaxRecord.toTaxSummary() = TaxSummary(
    taxableValue = decimal(taxableValue, "taxable value"),
    cgst = decimal(cgst, "CGST"),
    sgst = decimal(sgst, "SGST"),
    igst = decimal(igst, "IGST"),
    roundOff = decimal(roundOff, "round-off"),
    grandTotal = decimal(grandTotal, "grand total"),
)

internal fun FreeGoodsRecord.toFreeGoods() = FreeGoods(
    productId = productId,
    productName = productName,
    quantity = decimal(quantity, "free quantity"),
    unit = unit,
    schemeId = schemeId,
    earnedBy = earnedBy,
    explanation = explanation,
)

internal fun CartTotalsRecord.toCartTotals() = CartTotals(
    lineCount = lineCount.toInt(),
    totalQuantity = decimal(totalQuantity, "total quantity"),
    total = decimal(total, "total"),
    pricingMethod = when (pricingMethod) {
        PricingMethodRecord.ENGINE -> PricingMethod.ENGINE
        PricingMethodRecord.SELLING_PRICE -> PricingMethod.SELLING_PRICE
    },
    fallbackReason = fallbackReason,
    grossAmount = decimal(grossAmount, "gross amount"),
    discount = decimal(discount, "discount"),
    tax = tax?.toTaxSummary(),
    freeLines = freeLines.map { it.toFreeGoods() },
    orderSchemes = orderSchemes.map { it.toAppliedScheme() },
    schemeIds = schemeIds,
)

internal fun SyncReportRecord.toSyncReport() = SyncReport(
    documentsSynced = documentsSynced.toInt(),
    documentsReceived = documentsReceived.toInt(),
    changesReceived = changesReceived.toInt(),
    catalogUpdated = catalogUpdated,
    catalogVersion = catalogVersion,
    pricingTermsUpdated = pricingTermsUpdated,
    documentsUnavailable = documentsUnavailable.toInt(),
    documentsUnconfirmed = documentsUnconfirmed.toInt(),
)

internal fun SyncStatusRecord.toSyncStatus() = SyncStatus(
    pendingDocuments = pendingDocuments.toInt(),
    catalogVersion = catalogVersion,
    catalogProducts = catalogProducts,
    lastSyncAt = lastSyncAt?.let { timestamp(it, "last sync time") },
    lastSyncError = lastSyncError,
    refusedDocuments = refusedDocuments.map { RefusedDocument(it.documentId, it.reason) },
)

internal fun AcknowledgementRecord.toAcknowledgement() = Acknowledgement(
    ackId = ackId,
    shipmentId = shipmentId,
    buyerId = buyerId,
    vehicleNumber = vehicleNumber,
    lines = lines.map {
        AcknowledgedLine(
            productId = it.productId,
            dispatched = decimal(it.dispatched, "dispatched quantity"),
            delivered = decimal(it.delivered, "delivered quantity"),
            short = decimal(it.short, "short quantity"),
            damaged = decimal(it.damaged, "damaged quantity"),
            reason = it.reason,
        )
    },
    receiverName = receiverName,
    signatureSha256 = signatureSha256,
    photoSha256s = photoSha256s,
    signedBy = signedBy,
    signedAt = signedAt?.let { timestamp(it, "sign-off time") },
    contentSha256 = contentSha256,
)

internal fun VisitDraft.toRecord() = VisitDraftRecord(
    partyId = partyId,
    windowFrom = windowFrom.toLibraryText(),
    windowTo = windowTo.toLibraryText(),
    objectives = objectives,
    attendees = attendees,
)

internal fun PresenceRecord.toPresence() = Presence(
    at = timestamp(at, "presence time"),
    position = GeoPosition(
        latitude = decimal(latitude, "latitude"),
        longitude = decimal(longitude, "longitude"),
        accuracyMetres = decimal(accuracyM, "accuracy"),
    ),
)

@Suppress("REDUNDANT_ELSE_IN_WHEN")
internal fun RecordVisitStatus.toVisitStatus(): VisitStatus =
    when (this) {
        RecordVisitStatus.PLANNED -> VisitStatus.PLANNED
        RecordVisitStatus.IN_PROGRESS -> VisitStatus.IN_PROGRESS
        RecordVisitStatus.COMPLETED -> VisitStatus.COMPLETED
        RecordVisitStatus.CANCELLED -> VisitStatus.CANCELLED
        // The visit plan calls are new in the library, so a status added there must not break this file.
        else -> throw FieldError.Internal("unknown visit status $this from the library")
    }

internal fun VisitRecord.toVisit() = Visit(
    visitId = visitId,
    partyId = partyId,
    owner = owner,
    conflictingOwners = conflictingOwners,
    windowFrom = timestamp(windowFrom, "visit window start"),
    windowTo = timestamp(windowTo, "visit window end"),
    unplanned = unplanned,
    objectives = objectives,
    attendees = attendees,
    checkIn = checkIn?.toPresence(),
    checkOut = checkOut?.toPresence(),
    notes = notes,
    outcome = outcome,
    cancelled = cancelled,
    status = status.toVisitStatus(),
)

internal fun VisitPlanRecord.toVisitPlan() = VisitPlan(
    planId = planId,
    repId = repId,
    periodFrom = timestamp(periodFrom, "plan period start"),
    periodTo = timestamp(periodTo, "plan period end"),
    createdBy = createdBy,
    createdAt = timestamp(createdAt, "plan creation time"),
    visits = visits.map { it.toVisit() },
)

internal fun VisitPlanSummaryRecord.toVisitPlanSummary() = VisitPlanSummary(
    planId = planId,
    repId = repId,
    periodFrom = timestamp(periodFrom, "plan period start"),
    periodTo = timestamp(periodTo, "plan period end"),
    visitCount = visitCount.toInt(),
    hasUnsyncedEdits = hasUnsyncedEdits,
)
