package dev.stackquery.testing

import dev.stackquery.storage.FileStorage
import dev.stackquery.storage.StorageBackend
import java.nio.file.Files
import java.nio.file.Path

class FileStorageContractSpec : StorageContract(
    "FileStorage",
    object : StorageFixture {
        private val directories = mutableMapOf<StorageBackend, Path>()

        override suspend fun create(clock: ManualClock): StorageBackend {
            val directory = Files.createTempDirectory("stackquery-file-contract")
            return FileStorage(directory, clock).also { directories[it] = directory }
        }

        override suspend fun release(storage: StorageBackend) {
            storage.close()
            directories.remove(storage)?.toFile()?.deleteRecursively()
        }
    },
)
