package dev.stackquery.testing

import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.StorageBackend

class InMemoryStorageContractSpec : StorageContract(
    "InMemoryStorage",
    object : StorageFixture {
        override suspend fun create(clock: ManualClock): StorageBackend = InMemoryStorage(clock)
    },
)
