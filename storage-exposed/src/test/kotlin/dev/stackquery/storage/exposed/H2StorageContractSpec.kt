package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract
import io.kotest.core.test.config.DefaultTestConfig

class H2StorageContractSpec : StorageContract("ExposedStorage on H2", ExposedContractFixture(TestDatabase.H2)) {
    init {
        defaultTestConfig = DefaultTestConfig(enabledOrReasonIf = { TestDatabase.H2.enabled() })
    }
}
