package dev.stackquery.storage.exposed

import dev.stackquery.testing.StorageContract

class SqliteStorageContractSpec : StorageContract(
    "ExposedStorage on SQLite",
    ExposedContractFixture(TestDatabase.Sqlite),
)
