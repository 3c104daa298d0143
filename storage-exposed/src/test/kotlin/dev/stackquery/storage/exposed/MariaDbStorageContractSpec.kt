package dev.stackquery.storage.exposed

import dev.stackquery.testing.StorageContract

class MariaDbStorageContractSpec : StorageContract(
    "ExposedStorage on MariaDB",
    ExposedContractFixture(TestDatabase.MariaDb),
)
