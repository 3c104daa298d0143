@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.expiresAt
import java.util.concurrent.ConcurrentSkipListMap
import kotlin.time.Duration

/**
 * A [StorageBackend] in this JVM's memory: an L2 shared by several clients in one process (each
 * hydrates from what the others persisted), and the reference implementation of the storage
 * contract for tests. Nothing survives the process.
 *
 * Expiry follows [clock] (pass the clients' clock, e.g. a test's virtual clock). Expired entries
 * read as missing and are removed when read, by [purgeExpired], or when overwritten. Thread-safe;
 * no operation suspends.
 */
public class InMemoryStorage @JvmOverloads constructor(
    private val clock: QueryClock = QueryClock.SYSTEM,
) : BatchStorage, PrefixDeletableStorage, PurgeableStorage {
    private class Entry(val value: String, val expiresAt: Long)

    private val entries = ConcurrentSkipListMap<String, Entry>()

    /** How many entries are held, expired ones included until they are purged. */
    public val size: Int get() = entries.size

    override suspend fun get(key: String): String? = read(key)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        write(key, value, ttl)
    }

    override suspend fun delete(key: String) {
        entries.remove(key)
    }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> {
        val result = LinkedHashMap<String, String>()
        for (key in keys) read(key)?.let { result[key] = it }
        return result
    }

    override suspend fun setAll(entries: List<StorageEntry>) {
        for (entry in entries) write(entry.key, entry.value, entry.ttl)
    }

    override suspend fun deleteByPrefix(prefix: String): Long {
        var removed = 0L
        val tail = entries.tailMap(prefix, true)
        for (key in tail.keys) {
            if (!key.startsWith(prefix)) break
            if (tail.remove(key) != null) removed++
        }
        return removed
    }

    override suspend fun purgeExpired(): Int {
        val now = clock.nowMillis()
        var removed = 0
        for ((key, entry) in entries) {
            if (entry.expiresAt <= now && entries.remove(key, entry)) removed++
        }
        return removed
    }

    private fun read(key: String): String? {
        val entry = entries[key] ?: return null
        if (entry.expiresAt > clock.nowMillis()) return entry.value
        entries.remove(key, entry)
        return null
    }

    private fun write(key: String, value: String, ttl: Duration?) {
        if (ttl != null && !ttl.isPositive()) {
            entries.remove(key)
            return
        }
        entries[key] = Entry(value, expiresAt(clock.nowMillis(), ttl))
    }

    override fun toString(): String = "InMemoryStorage(size=$size)"
}
