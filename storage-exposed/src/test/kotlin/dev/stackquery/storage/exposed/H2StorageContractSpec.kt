package dev.stackquery.storage.exposed

import dev.stackquery.testing.StorageContract

class H2StorageContractSpec : StorageContract("ExposedStorage on H2", ExposedContractFixture(TestDatabase.H2))
