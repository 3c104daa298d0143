package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract

class MariaDbStorageContractSpec : StorageContract("ExposedStorage on MariaDB", ExposedContractFixture(TestDatabase.MariaDb))
