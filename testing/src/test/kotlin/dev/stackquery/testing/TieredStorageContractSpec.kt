package dev.stackquery.testing

import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.TieredStorage
import dev.stackquery.storage.WriteStrategy

class TieredWriteThroughContractSpec : StorageContract(
    "TieredStorage(WRITE_THROUGH)",
    object : StorageFixture {
        override suspend fun create(clock: ManualClock): StorageBackend =
            TieredStorage(listOf(InMemoryStorage(clock), InMemoryStorage(clock)), WriteStrategy.WRITE_THROUGH)
    },
)

class TieredWriteBackContractSpec : StorageContract(
    "TieredStorage(WRITE_BACK)",
    object : StorageFixture {
        override suspend fun create(clock: ManualClock): StorageBackend =
            TieredStorage(listOf(InMemoryStorage(clock), InMemoryStorage(clock)), WriteStrategy.WRITE_BACK)
    },
)
