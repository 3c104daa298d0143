package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageBackend
import kotlinx.coroutines.runBlocking
import org.jetbrains.exposed.v1.jdbc.Database
import java.util.UUID

/**
 * Helpers for the Java tests. Blocking calls for [ExposedStorageJavaTest]: Java hands a storage to a client, which calls its
 * suspend functions; the test stands in for that client.
 */
object JavaTestSupport {
    /** Writes [value] under [key] (no TTL) through [storage], then reads [key] back. */
    @JvmStatic
    fun setThenGet(storage: StorageBackend, key: String, value: String): String? = runBlocking {
        storage.set(key, value, null)
        storage.get(key)
    }

    /** A new in-memory H2 database (Exposed's `Database.connect` has no Java overload without its defaults). */
    @JvmStatic
    fun h2Database(): Database =
        Database.connect("jdbc:h2:mem:java_${UUID.randomUUID()};DB_CLOSE_DELAY=-1", driver = "org.h2.Driver")
}
