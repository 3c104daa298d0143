package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageContract

class PostgresStorageContractSpec : StorageContract("ExposedStorage on PostgreSQL", ExposedContractFixture(TestDatabase.Postgres))
