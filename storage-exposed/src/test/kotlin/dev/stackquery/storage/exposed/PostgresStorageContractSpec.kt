package dev.stackquery.storage.exposed

import dev.stackquery.testing.StorageContract

class PostgresStorageContractSpec : StorageContract(
    "ExposedStorage on PostgreSQL",
    ExposedContractFixture(TestDatabase.Postgres),
)
