package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageBackend
import kotlinx.coroutines.runBlocking

/**
 * Blocking calls for [ExposedStorageJavaTest]: Java hands a storage to a client, which calls its
 * suspend functions; the test stands in for that client.
 */
object JavaTestSupport {
    /** Writes [value] under [key] (no TTL) through [storage], then reads [key] back. */
    @JvmStatic
    fun setThenGet(storage: StorageBackend, key: String, value: String): String? = runBlocking {
        storage.set(key, value, null)
        storage.get(key)
    }
}
