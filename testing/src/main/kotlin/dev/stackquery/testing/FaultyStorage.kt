package dev.stackquery.testing

import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageUnavailableException
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.delay
import java.util.Collections
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * A fault-injecting [dev.stackquery.storage.StorageBackend]: an [InMemoryStorage] ([inner]) behind a
 * switch ([mode]) that makes its operations fail, hang, return garbage or answer late, to test
 * what a client (or a [dev.stackquery.storage.TieredStorage]) does when its L2 misbehaves.
 *
 * Each operation reads [mode] once, when it is called, and records itself in [calls] first,
 * whatever the mode: `"get k"`, `"getAll n"` (n keys), `"set k"`, `"setAll n"` (n entries),
 * `"delete k"`, `"deletePrefix p"`. It offers the [BatchStorage] and [PrefixDeletableStorage]
 * capabilities (batch writes only while [batching] is true); [inner] is reachable directly to seed
 * or inspect what is stored, unrecorded and unaffected by [mode].
 *
 * Thread-safe: [mode], [latency] and [batching] may be changed from any thread at any time, and
 * take effect for the calls that start afterwards.
 *
 * ```kotlin
 * val storage = FaultyStorage(InMemoryStorage(clock)).apply { mode = FaultyStorage.Mode.THROW }
 * ```
 * ```java
 * FaultyStorage storage = new FaultyStorage(new InMemoryStorage(clock));
 * storage.setMode(FaultyStorage.Mode.SLOW);
 * storage.setLatencyDuration(Duration.ofSeconds(1));
 * ```
 *
 * @param inner the storage that holds the data; defaults to one on the system clock.
 */
public class FaultyStorage @JvmOverloads public constructor(
    public val inner: InMemoryStorage = InMemoryStorage(),
) : BatchStorage, PrefixDeletableStorage {
    /** What every operation does; read once per call. */
    public enum class Mode {
        /** Delegates to [inner]. */
        OK,

        /** Throws [StorageUnavailableException] (`"injected failure: <call>"`) and changes nothing. */
        THROW,

        /** Suspends until the caller is cancelled (a client's `storageTimeout` does that); changes nothing. */
        HANG,

        /**
         * Answers without touching [inner]: `get` returns text that is not JSON (`{not json`),
         * `getAll` an empty map, `deleteByPrefix` 0, and writes and deletes return normally but are lost.
         */
        GARBAGE,

        /** Waits [latency] with coroutine `delay` (virtual time under a test dispatcher), then delegates to [inner]. */
        SLOW,
    }

    /** What operations do from now on ([Mode.OK] at first). */
    @Volatile
    public var mode: Mode = Mode.OK

    /** How long [Mode.SLOW] waits before each operation (zero at first); Java: [latencyDuration]. */
    @Volatile
    public var latency: Duration = Duration.ZERO
        set(value) {
            require(!value.isNegative()) { "latency must not be negative, was $value" }
            field = value
        }

    /**
     * Whether [setAll] is one batch call (true at first). When false, [setAll] writes entry by
     * entry through [set] (recorded as `"set k"` calls), as a storage without batch support would
     * be used.
     */
    @Volatile
    @get:JvmName("isBatching")
    public var batching: Boolean = true

    private val recorded: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /**
     * [latency] as a `java.time.Duration`, for Java (`getLatencyDuration()`, `setLatencyDuration(d)`).
     * Setting a negative duration throws [IllegalArgumentException].
     */
    public var latencyDuration: java.time.Duration
        get() = latency.toJavaDuration()
        set(value) {
            latency = value.toKotlinDuration()
        }

    /** Every call made so far, oldest first: a snapshot copy, unaffected by later calls. */
    public val calls: List<String> get() = synchronized(recorded) { recorded.toList() }

    /** How many recorded [calls] start with [prefix] (`count("set")` counts `set` and `setAll` calls). */
    public fun count(prefix: String): Int = synchronized(recorded) { recorded.count { it.startsWith(prefix) } }

    /** Forgets the recorded [calls]; the storage's data and settings are unchanged. */
    public fun clearCalls() {
        recorded.clear()
    }

    override suspend fun get(key: String): String? = fault("get $key", { "{not json" }) { inner.get(key) }

    override suspend fun set(key: String, value: String, ttl: Duration?): Unit =
        fault("set $key", {}) { inner.set(key, value, ttl) }

    override suspend fun delete(key: String): Unit = fault("delete $key", {}) { inner.delete(key) }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> =
        fault("getAll ${keys.size}", { emptyMap() }) { inner.getAll(keys) }

    override suspend fun setAll(entries: List<StorageEntry>) {
        if (!batching) {
            for (entry in entries) set(entry.key, entry.value, entry.ttl)
            return
        }
        fault("setAll ${entries.size}", {}) { inner.setAll(entries) }
    }

    override suspend fun deleteByPrefix(prefix: String): Long =
        fault("deletePrefix $prefix", { 0L }) { inner.deleteByPrefix(prefix) }

    override fun toString(): String = "FaultyStorage(mode=$mode, inner=$inner)"

    private suspend inline fun <R> fault(call: String, garbage: () -> R, ok: () -> R): R {
        recorded += call
        return when (mode) {
            Mode.OK -> ok()
            Mode.THROW -> throw StorageUnavailableException("injected failure: $call")
            Mode.HANG -> awaitCancellation()
            Mode.GARBAGE -> garbage()
            Mode.SLOW -> {
                delay(latency)
                ok()
            }
        }
    }
}
