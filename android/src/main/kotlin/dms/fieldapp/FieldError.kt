package dms.fieldapp

import uniffi.dms_ffi.DeviceClientException
import uniffi.dms_ffi.InternalException

/**
 * An error from any [FieldClient] call, one subclass per case a screen handles differently.
 *
 * [message] is the library's message as it is, such as
 * `invalid quantity "-3": must be greater than zero`. The generated `DeviceClientException`
 * carries it as `reason` (see mobile-ffi/uniffi.toml), and its own `message` reads
 * `reason=...`, so show this class's message, not that one's.
 */
sealed class FieldError(override val message: String, cause: Throwable?) : Exception(message, cause) {
    /** A value passed in is invalid: a quantity, an id, a position, an empty cart to submit. */
    class InvalidInput(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** The cart, product, cart line or document is not on this device. A sync may bring it. */
    class NotFound(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** The cart is submitted and can no longer be edited. */
    class CartSubmitted(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** The server could not be reached or the sync round timed out. Edits stay on the device. */
    class Network(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** The server rejected the sync, such as `401 Unauthorized` for an expired token. */
    class Refused(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** The device store could not be read or written. */
    class Storage(message: String, cause: Throwable? = null) : FieldError(message, cause)

    /** A failure inside the library or the bindings, or a value from the library this wrapper cannot read. */
    class Internal(message: String, cause: Throwable? = null) : FieldError(message, cause)

    companion object {
        /** Maps the generated binding's error to its [FieldError], keeping the original as the cause. */
        @Suppress("REDUNDANT_ELSE_IN_WHEN")
        fun from(error: DeviceClientException): FieldError =
            when (error) {
                is DeviceClientException.InvalidInput -> InvalidInput(error.reason, error)
                is DeviceClientException.NotFound -> NotFound(error.reason, error)
                is DeviceClientException.CartSubmitted -> CartSubmitted(error.reason, error)
                is DeviceClientException.Network -> Network(error.reason, error)
                is DeviceClientException.Refused -> Refused(error.reason, error)
                is DeviceClientException.Storage -> Storage(error.reason, error)
                is DeviceClientException.Internal -> Internal(error.reason, error)
                // The bindings are regenerated from the library on every build. A variant added
                // in Rust arrives here until it is mapped, so this file still compiles.
                else -> Internal(error.message ?: error.toString(), error)
            }
    }
}

/** Runs one call into the generated bindings, turning their exceptions into [FieldError]. */
internal inline fun <T> mapErrors(call: () -> T): T =
    try {
        call()
    } catch (error: DeviceClientException) {
        throw FieldError.from(error)
    } catch (error: InternalException) {
        // uniffi raises this for a Rust panic or a failed conversion across the boundary.
        throw FieldError.Internal(error.message ?: "internal error in the bindings", error)
    }
