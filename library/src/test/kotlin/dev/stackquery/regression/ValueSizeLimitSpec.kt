package dev.stackquery.regression

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.FileStorage
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.test.runTest
import java.nio.file.Files
import kotlin.time.Duration.Companion.hours

/**
 * Issue 23, bad input: a 50 MB value through a codec must be stored or refused by a documented
 * limit, never run the writer out of memory. `QueryClientConfig.maxValueBytes` (8 MiB by
 * default) is that limit: a larger entry stays in memory, its write dropped and counted.
 */
class ValueSizeLimitSpec : FunSpec({
    test("a 50 MB value stays in memory and is not written; a 4 MB one is written and read back") {
        val dir = Files.createTempDirectory("stackquery-values-")
        try {
            fun client() = QueryClient(QueryClientConfig(staleTime = 1.hours, storage = FileStorage(dir)))
            val huge = "x".repeat(50_000_000)
            val large = "é".repeat(2_000_000) // 4 MB of UTF-8
            runTest {
                client().use { writer ->
                    writer.fetchQuery(queryOptions(queryKey("huge"), queryFn = { huge })).length shouldBe huge.length
                    writer.fetchQuery(queryOptions(queryKey("large"), queryFn = { large })) shouldBe large
                    writer.flush()
                    val stats = writer.storageStats()!!
                    listOf(stats.writes, stats.writesDropped) shouldBe listOf(1L, 1L)
                    writer.getQueryData<String>(queryKey("huge"))!!.length shouldBe huge.length // kept in memory
                }
                client().use { reader ->
                    reader.fetchQuery(
                        queryOptions<String>(queryKey("large"), queryFn = {
                            error("refetched")
                        }),
                    ) shouldBe
                        large
                    reader.fetchQuery(queryOptions(queryKey("huge"), queryFn = { "refetched" })) shouldBe "refetched"
                }
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    test("the limit counts bytes of UTF-8, and must be positive") {
        val dir = Files.createTempDirectory("stackquery-values-")
        try {
            runTest {
                QueryClient(QueryClientConfig(storage = FileStorage(dir), maxValueBytes = 1_000)).use { client ->
                    // 400 chars of 'é' are 800 bytes plus the envelope: under; 600 are 1,200 bytes: over.
                    client.fetchQuery(queryOptions(queryKey("under"), queryFn = { "é".repeat(400) }))
                    client.fetchQuery(queryOptions(queryKey("over"), queryFn = { "é".repeat(600) }))
                    client.flush()
                    val stats = client.storageStats()!!
                    listOf(stats.writes, stats.writesDropped) shouldBe listOf(1L, 1L)
                }
            }
            shouldThrow<IllegalArgumentException> { QueryClientConfig(maxValueBytes = 0) }.message shouldContain
                "maxValueBytes"
            shouldThrow<IllegalArgumentException> { QueryClientConfig.builder().maxValueBytes(-1) }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }
})
