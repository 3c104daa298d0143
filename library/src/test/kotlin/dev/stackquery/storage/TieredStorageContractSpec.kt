package dev.stackquery.storage

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
