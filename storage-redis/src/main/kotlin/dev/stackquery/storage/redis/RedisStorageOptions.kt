@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.redis

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.requirePositiveFinite
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * How a [RedisStorage] names its keys, how long it waits for Redis, and what it does when Redis
 * fails. Immutable; validated at construction.
 *
 * ```kotlin
 * val storage = RedisStorage.create("redis://cache:6379/0", RedisStorageOptions(namespace = "shop:", silent = true))
 * ```
 * From Java: `RedisStorageOptions.builder().namespace("shop:").commandTimeout(Duration.ofMillis(500)).build()`.
 *
 * @property namespace prepended to every key the storage reads or writes (`get("k")` reads the
 *   Redis key `stackquery:k`), so several applications or test runs share one Redis database
 *   without seeing each other's entries. `deleteByPrefix("")` removes exactly this namespace.
 *   Default `"stackquery:"`; may be empty (then the keys are used as they are).
 * @property commandTimeout how long one Redis command (one round trip) may take before it fails
 *   with a [dev.stackquery.storage.StorageUnavailableException]; default 2 seconds. Must be positive
 *   and finite.
 * @property connectTimeout how long opening a TCP connection (and the handshake) may take; default
 *   2 seconds. Must be positive and finite.
 * @property silent when true, a failure never reaches the caller: reads return misses (`null`, an
 *   empty map, `0` removed), writes do nothing, and the failure is logged (a warning at the start
 *   of each outage, then at debug level until an operation succeeds again). Default false: failures
 *   are thrown as [dev.stackquery.storage.StorageException]s.
 * @property scanCount how many keys `deleteByPrefix` asks Redis to look at per `SCAN` step, and so
 *   the most keys it removes with one `UNLINK`; default 1000. Must be >= 1.
 * @throws IllegalArgumentException naming the field, for a timeout that is not positive and finite
 *   or `scanCount < 1`.
 */
public class RedisStorageOptions(
    public val namespace: String = DEFAULT_NAMESPACE,
    @get:JvmSynthetic public val commandTimeout: Duration = DEFAULT_TIMEOUT,
    @get:JvmSynthetic public val connectTimeout: Duration = DEFAULT_TIMEOUT,
    public val silent: Boolean = false,
    public val scanCount: Int = DEFAULT_SCAN_COUNT,
) {
    init {
        requirePositiveFinite(commandTimeout, "commandTimeout")
        requirePositiveFinite(connectTimeout, "connectTimeout")
        checkScanCount(scanCount)
    }

    /** [commandTimeout] for Java callers. */
    public val commandTimeoutDuration: java.time.Duration get() = commandTimeout.toJavaDuration()

    /** [connectTimeout] for Java callers. */
    public val connectTimeoutDuration: java.time.Duration get() = connectTimeout.toJavaDuration()

    /** A builder starting from these options, to change some of them. */
    public fun toBuilder(): Builder = Builder(this)

    override fun equals(other: Any?): Boolean =
        other is RedisStorageOptions && namespace == other.namespace && commandTimeout == other.commandTimeout &&
            connectTimeout == other.connectTimeout && silent == other.silent && scanCount == other.scanCount

    override fun hashCode(): Int = listOf(namespace, commandTimeout, connectTimeout, silent, scanCount).hashCode()

    override fun toString(): String = "RedisStorageOptions(namespace=$namespace, commandTimeout=$commandTimeout, " +
        "connectTimeout=$connectTimeout, silent=$silent, scanCount=$scanCount)"

    /**
     * Builds [RedisStorageOptions] from Java. Setters validate eagerly, naming the field, and return
     * the builder; unset fields keep the defaults documented on [RedisStorageOptions]. Not
     * thread-safe (use one builder per thread).
     */
    public class Builder internal constructor(from: RedisStorageOptions) {
        private var namespace: String = from.namespace
        private var commandTimeout: Duration = from.commandTimeout
        private var connectTimeout: Duration = from.connectTimeout
        private var silent: Boolean = from.silent
        private var scanCount: Int = from.scanCount

        /** See [RedisStorageOptions.namespace]. */
        public fun namespace(namespace: String): Builder = apply { this.namespace = namespace }

        /** See [RedisStorageOptions.commandTimeout]. */
        public fun commandTimeout(timeout: java.time.Duration): Builder = apply {
            commandTimeout = requirePositiveFinite(timeout.toKotlinDuration(), "commandTimeout")
        }

        /** See [RedisStorageOptions.connectTimeout]. */
        public fun connectTimeout(timeout: java.time.Duration): Builder = apply {
            connectTimeout = requirePositiveFinite(timeout.toKotlinDuration(), "connectTimeout")
        }

        /** See [RedisStorageOptions.silent]. */
        public fun silent(silent: Boolean): Builder = apply { this.silent = silent }

        /** See [RedisStorageOptions.scanCount]. */
        public fun scanCount(scanCount: Int): Builder = apply { this.scanCount = checkScanCount(scanCount) }

        /** Options with the values set so far. */
        public fun build(): RedisStorageOptions =
            RedisStorageOptions(namespace, commandTimeout, connectTimeout, silent, scanCount)
    }

    public companion object {
        /** The default [namespace]: `"stackquery:"`. */
        public const val DEFAULT_NAMESPACE: String = "stackquery:"

        /** The default [scanCount]: 1000. */
        public const val DEFAULT_SCAN_COUNT: Int = 1000

        /** The default [commandTimeout] and [connectTimeout]: 2 seconds. */
        @JvmSynthetic
        public val DEFAULT_TIMEOUT: Duration = 2.seconds

        /** Options with every field at its default. */
        @JvmField
        public val DEFAULT: RedisStorageOptions = RedisStorageOptions()

        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder(DEFAULT)
    }
}

private fun checkScanCount(scanCount: Int): Int {
    require(scanCount >= 1) { "scanCount must be >= 1, was $scanCount" }
    return scanCount
}
