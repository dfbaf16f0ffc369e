// The iOS field app's handle on one device store, over the generated uniffi bindings
// (mobile-ffi/generated/swift/dms_ffi.swift). Amounts and quantities are Foundation
// `Decimal`, parsed from and written as the library's decimal text. Timestamps stay RFC 3339
// text with their offset, because `Date` would drop the zone the record was made in.
//
// NOTE: no Swift toolchain exists on the machines this repository is built on, so this file
// has never been compiled. It mirrors android/src/main/kotlin/dms/fieldapp/FieldClient.kt,
// which is compiled and tested on a JVM against the same library.

import Foundation

/// An error from any `FieldClient` call, one case per kind a screen handles differently.
public enum FieldError: Error, Equatable {
    /// A value passed in is invalid: a quantity, an id, a position, an empty cart to submit.
    case invalidInput(String)
    /// The cart, product or document is not on this device. A sync may bring it.
    case notFound(String)
    /// The cart is submitted and can no longer be edited.
    case cartSubmitted(String)
    /// The server could not be reached or the sync round timed out. Edits stay on the device.
    case network(String)
    /// The server rejected the sync, such as an expired token.
    case refused(String)
    /// The device store could not be read or written.
    case storage(String)
    /// A failure inside the library, or a value from it this wrapper cannot read.
    case `internal`(String)

    init(_ error: DeviceClientError) {
        switch error {
        case .InvalidInput(let message): self = .invalidInput(message)
        case .NotFound(let message): self = .notFound(message)
        case .CartSubmitted(let message): self = .cartSubmitted(message)
        case .Network(let message): self = .network(message)
        case .Refused(let message): self = .refused(message)
        case .Storage(let message): self = .storage(message)
        case .Internal(let message): self = .internal(message)
        }
    }
}

/// A cart's figures as the device shows them, in rupees.
public struct CartTotals: Equatable {
    public let lineCount: UInt32
    public let totalQuantity: Decimal
    /// The amount payable: the grand total with the pricing engine, else the sum of lines.
    public let total: Decimal
    public let discount: Decimal
    /// The reason the pricing engine was not used, or `nil` when it was.
    public let fallbackReason: String?
}

public final class FieldClient {
    private let device: DeviceClient
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Opens the store at `path`, creating the file if needed.
    public init(path: String, settings: DeviceSettings) throws {
        device = try FieldClient.mapped { try DeviceClient.open(path: path, config: settings) }
    }

    /// Creates an empty draft cart and returns its id. Partner users pass no buyer; staff name one.
    public func createCart(buyerId: String? = nil) throws -> String {
        try FieldClient.mapped { try device.createCart(buyerId: buyerId) }
    }

    /// Sets a product's quantity on a cart, adding the line if needed.
    public func setLine(cartId: String, productId: String, quantity: Decimal) throws {
        try FieldClient.mapped {
            try device.setLine(cartId: cartId, productId: productId, quantity: FieldClient.text(quantity))
        }
    }

    public func cartTotals(cartId: String) throws -> CartTotals {
        let record = try FieldClient.mapped { try device.cartTotals(cartId: cartId) }
        return CartTotals(
            lineCount: record.lineCount,
            totalQuantity: try FieldClient.decimal(record.totalQuantity, "total quantity"),
            total: try FieldClient.decimal(record.total, "total"),
            discount: try FieldClient.decimal(record.discount, "discount"),
            fallbackReason: record.fallbackReason
        )
    }

    /// Submits the cart; it becomes an order request on the server at the next sync.
    public func submit(cartId: String) throws {
        try FieldClient.mapped { try device.submit(cartId: cartId) }
    }

    /// Runs one sync round with the server.
    public func syncNow() async throws -> SyncReportRecord {
        do {
            return try await device.syncNow()
        } catch let error as DeviceClientError {
            throw FieldError(error)
        }
    }

    /// Checks in to a visit at a position given in decimal degrees and metres of accuracy.
    public func checkIn(planId: String, visitId: String, latitude: Decimal, longitude: Decimal, accuracyM: Decimal) throws {
        try FieldClient.mapped {
            try device.checkIn(
                planId: planId,
                visitId: visitId,
                latitude: FieldClient.text(latitude),
                longitude: FieldClient.text(longitude),
                accuracyM: FieldClient.text(accuracyM)
            )
        }
    }

    // ---- mapping ----

    private static func mapped<T>(_ call: () throws -> T) throws -> T {
        do {
            return try call()
        } catch let error as DeviceClientError {
            throw FieldError(error)
        }
    }

    /// Writes a decimal the way the library reads it: digits, a point, no grouping or exponent.
    static func text(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).description(withLocale: posix)
    }

    /// Reads the library's decimal text; anything else is an internal error naming the field.
    static func decimal(_ text: String, _ field: String) throws -> Decimal {
        guard let value = Decimal(string: text, locale: posix) else {
            throw FieldError.internal("the library returned \(field) \"\(text)\", which is not a decimal")
        }
        return value
    }
}
