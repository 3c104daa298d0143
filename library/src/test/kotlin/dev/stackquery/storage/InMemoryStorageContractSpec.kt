package dev.stackquery.storage

class InMemoryStorageContractSpec : StorageContract(
    "InMemoryStorage",
    object : StorageFixture {
        override suspend fun create(clock: ManualClock): StorageBackend = InMemoryStorage(clock)
    },
)
