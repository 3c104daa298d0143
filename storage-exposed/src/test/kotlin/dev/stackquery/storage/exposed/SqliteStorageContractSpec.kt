package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract

class SqliteStorageContractSpec : StorageContract("ExposedStorage on SQLite", ExposedContractFixture(TestDatabase.Sqlite))
