package dev.stackquery.storage.redis

import dev.stackquery.storage.StorageBackend
import dev.stackquery.testing.ManualClock
import dev.stackquery.testing.StorageContract
import dev.stackquery.testing.StorageFixture
import io.kotest.matchers.collections.shouldBeEmpty

/** The shared storage contract against the real Redis, each test in a namespace of its own. */
class RedisStorageContractSpec : StorageContract("RedisStorage", RedisFixture) {
    init {
        extension(RequiresRedis)
    }

    private object RedisFixture : StorageFixture {
        // Redis expires entries on its own clock: the contract waits for expiry in real time.
        override val clockDrivenExpiry: Boolean get() = false

        override suspend fun create(clock: ManualClock): StorageBackend =
            RedisStorage.create(TestRedis.URI, RedisStorageOptions(namespace = TestRedis.uniqueNamespace()))

        override suspend fun release(storage: StorageBackend) {
            val redis = storage as RedisStorage
            try {
                redis.deleteByPrefix("")
                TestRedis.raw().use { raw -> raw.keys(redis.options.namespace).shouldBeEmpty() }
            } finally {
                redis.close()
            }
        }
    }
}
