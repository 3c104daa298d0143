package dev.stackquery.regression

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.internal.persistence.Envelope
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.FileStorage
import dev.stackquery.storage.QueryCodec
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.builtins.serializer
import java.nio.file.Files
import kotlin.time.Duration.Companion.hours

/**
 * Issue 23, defect 1: keys that differ only in unpaired surrogates (`"a\uD800"`, `"a\uDBFF"`,
 * `"a?"`) shared one stored entry, because the key text kept the lone surrogate and UTF-8 turned
 * it into `?`; a fresh client got another key's data without calling its query function, and
 * values with lone surrogates came back changed. Real files, written as UTF-8.
 */
class SurrogateKeyCollisionSpec : FunSpec({
    val segments = listOf("a\uD800", "a\uDBFF", "a?", "a\uDC00", "a\uD83D\uDE00")

    test("a fresh client reads each key's own value, lone surrogates in keys and values intact") {
        val dir = Files.createTempDirectory("stackquery-surrogates")
        try {
            fun client() = QueryClient(QueryClientConfig(staleTime = 1.hours, storage = FileStorage(dir)))
            runTest {
                client().use { writer ->
                    for (s in segments) {
                        writer.fetchQuery(queryOptions(queryKey("s", s), queryFn = { "value of $s" })) shouldBe
                            "value of $s"
                    }
                    writer.flush()
                }
                client().use { reader ->
                    for (s in segments) {
                        val options = queryOptions<String>(queryKey("s", s), queryFn = { error("refetched $s") })
                        reader.fetchQuery(options) shouldBe "value of $s"
                    }
                }
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    test("the stored envelope is valid UTF-8 and reads back the same value, through any codec") {
        val value = "x\uD800y\uDFFFz\uD83D\uDE00"
        val plain = QueryCodec.of<String>({ "\"" + it + "\"" }, { it.removeSurrounding("\"") })
        for (codec in listOf(QueryCodec.kotlinx(String.serializer()), plain)) {
            val text = Envelope.encode(codec, value, 7, invalidated = false, buster = "b\uDC00")
            val afterUtf8 = String(text.toByteArray(Charsets.UTF_8), Charsets.UTF_8)
            afterUtf8 shouldBe text
            Envelope.decode(afterUtf8, "b\uDC00", codec, nowMillis = 7)!!.data shouldBe value
        }
    }
})
