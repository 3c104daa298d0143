package dev.stackquery.testing

import dev.stackquery.QueryClock
import dev.stackquery.storage.StorageBackend
import java.util.concurrent.ConcurrentHashMap
import kotlin.time.Duration

/**
 * A storage written outside StackQuery, as a third party would: a [ConcurrentHashMap] with
 * expiry on a [QueryClock], none of the optional capabilities.
 */
private class MapStorage(private val clock: QueryClock) : StorageBackend {
    private class Entry(val value: String, val expiresAt: Long)

    private val map = ConcurrentHashMap<String, Entry>()

    override suspend fun get(key: String): String? {
        val entry = map[key] ?: return null
        if (entry.expiresAt > clock.nowMillis()) return entry.value
        map.remove(key, entry)
        return null
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        if (ttl != null && !ttl.isPositive()) {
            map.remove(key)
            return
        }
        val expiresAt = if (ttl == null) Long.MAX_VALUE else clock.nowMillis() + ttl.inWholeMilliseconds
        map[key] = Entry(value, expiresAt)
    }

    override suspend fun delete(key: String) {
        map.remove(key)
    }
}

/** The published contract, extended from outside the library: what a third-party backend's build does. */
// readme:begin
class ThirdPartyStorageContractSpec : StorageContract(
    "MapStorage",
    object : StorageFixture {
        // A fresh, empty storage per test; its expiry must follow the contract's clock.
        override suspend fun create(clock: ManualClock): StorageBackend = MapStorage(clock)
    },
)
// readme:end
