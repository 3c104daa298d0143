package dev.stackquery.storage

import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.delay
import java.util.Collections
import kotlin.time.Duration

/**
 * A hand-written fault injector around an [InMemoryStorage]: each operation does what [mode]
 * says at the moment it is called, and every call is recorded in [calls] (`"get k"`, `"set k"`,
 * `"setAll n"`, `"delete k"`, `"deletePrefix p"`). Thread-safe.
 */
class FaultyStorage(val inner: InMemoryStorage) : BatchStorage, PrefixDeletableStorage {
    enum class Mode { OK, THROW, HANG, GARBAGE, SLOW }

    @Volatile
    var mode: Mode = Mode.OK

    /** The delay of [Mode.SLOW] (virtual time in tests). */
    @Volatile
    var latency: Duration = Duration.ZERO

    /** Whether batch writes are offered (false: the client must fall back to single writes). */
    @Volatile
    var batching: Boolean = true

    val calls: MutableList<String> = Collections.synchronizedList(mutableListOf())

    fun count(prefix: String): Int = synchronized(calls) { calls.count { it.startsWith(prefix) } }

    private suspend fun <R> fault(call: String, garbage: () -> R, ok: suspend () -> R): R {
        calls += call
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

    override suspend fun get(key: String): String? = fault("get $key", { "{not json" }) { inner.get(key) }

    override suspend fun set(key: String, value: String, ttl: Duration?) =
        fault("set $key", {}) { inner.set(key, value, ttl) }

    override suspend fun delete(key: String) = fault("delete $key", {}) { inner.delete(key) }

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
}
