package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageBackend
import dev.stackquery.testing.ManualClock
import dev.stackquery.testing.StorageFixture
import io.kotest.core.test.Enabled
import java.util.concurrent.ConcurrentHashMap

/** Runs the core's storage contract on [database]: each test gets a fresh namespace, removed after it. */
class ExposedContractFixture(private val database: TestDatabase) : StorageFixture {
    private val namespaces = ConcurrentHashMap<StorageBackend, TestDatabase.Namespace>()

    override suspend fun create(clock: ManualClock): StorageBackend {
        val namespace = database.namespace()
        val storage = try {
            namespace.open(clock)
        } catch (e: Throwable) {
            namespace.dispose()
            throw e
        }
        namespaces[storage] = namespace
        return storage
    }

    override fun enabled(): Enabled = database.enabled()

    override suspend fun release(storage: StorageBackend) {
        storage.close()
        namespaces.remove(storage)?.dispose()
    }
}
