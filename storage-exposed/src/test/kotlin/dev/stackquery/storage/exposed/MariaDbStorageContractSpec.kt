package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract
import io.kotest.core.test.config.DefaultTestConfig

class MariaDbStorageContractSpec : StorageContract("ExposedStorage on MariaDB", ExposedContractFixture(TestDatabase.MariaDb)) {
    init {
        defaultTestConfig = DefaultTestConfig(enabledOrReasonIf = { TestDatabase.MariaDb.enabled() })
    }
}
