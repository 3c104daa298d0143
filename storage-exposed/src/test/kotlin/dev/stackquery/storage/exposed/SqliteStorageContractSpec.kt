package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract
import io.kotest.core.test.config.DefaultTestConfig

class SqliteStorageContractSpec : StorageContract("ExposedStorage on SQLite", ExposedContractFixture(TestDatabase.Sqlite)) {
    init {
        defaultTestConfig = DefaultTestConfig(enabledOrReasonIf = { TestDatabase.Sqlite.enabled() })
    }
}
