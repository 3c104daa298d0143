package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract
import io.kotest.core.test.config.DefaultTestConfig

class PostgresStorageContractSpec : StorageContract("ExposedStorage on PostgreSQL", ExposedContractFixture(TestDatabase.Postgres)) {
    init {
        defaultTestConfig = DefaultTestConfig(enabledOrReasonIf = { TestDatabase.Postgres.enabled() })
    }
}
