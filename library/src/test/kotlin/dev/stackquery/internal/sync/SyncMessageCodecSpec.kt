package dev.stackquery.internal.sync

import dev.stackquery.QueryKey
import dev.stackquery.queryKey
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/** A message as comparable text: its type, key, exactness and, for a set, its entry. */
private fun SyncMessage.describe(): String =
    "${javaClass.simpleName} $key exact=$exact" + if (this is SyncMessage.Set) " entry=$entry" else ""

private fun roundTrip(origin: String, message: SyncMessage): Pair<String, String> {
    val received = SyncMessageCodec.decode(SyncMessageCodec.encode(origin, message))!!
    return received.origin to received.message.describe()
}

class SyncMessageCodecSpec : FunSpec({
    val key = queryKey("user", 1)
    val entry = """{"v":1,"data":{"name":"ann"},"dataUpdatedAt":5,"invalidated":false}"""

    test("encodes the documented form") {
        SyncMessageCodec.encode("node-a", SyncMessage.Invalidate(key, exact = false)) shouldBe
            """{"v":1,"origin":"node-a","op":"invalidate","key":["user",1],"exact":false}"""
        SyncMessageCodec.encode("node-a", SyncMessage.Set(key, "{\"v\":1}")) shouldBe
            """{"v":1,"origin":"node-a","op":"set","key":["user",1],"exact":true,"entry":"{\"v\":1}"}"""
    }

    test("every message type round-trips with its origin, key and exactness") {
        for (exact in listOf(true, false)) {
            roundTrip("a", SyncMessage.Invalidate(key, exact)) shouldBe ("a" to "Invalidate [\"user\",1] exact=$exact")
            roundTrip("a", SyncMessage.Remove(key, exact)) shouldBe ("a" to "Remove [\"user\",1] exact=$exact")
            roundTrip("a", SyncMessage.Reset(key, exact)) shouldBe ("a" to "Reset [\"user\",1] exact=$exact")
        }
        roundTrip("a", SyncMessage.Set(key, entry)) shouldBe ("a" to "Set [\"user\",1] exact=true entry=$entry")
        roundTrip("a", SyncMessage.INVALIDATE_ALL) shouldBe ("a" to "Invalidate [] exact=false")
    }

    test("keys of every segment type and awkward strings round-trip to equal keys") {
        val keys = listOf(
            QueryKey.EMPTY,
            queryKey("s", 42, Long.MAX_VALUE, -7L, 1.0, -0.5, 1.0E300, true, false),
            queryKey("quote\"", "comma,", "[bracket]", "back\\slash", "new\nline", "tab\t", "nul\u0000"),
            queryKey("é", "\uD83D\uDE00", "lone\uD800"), // a valid pair and an unpaired surrogate
            queryKey("1"), // a string that looks like a number stays a string
            queryKey(1),
        )
        for (k in keys) {
            val decoded = SyncMessageCodec.decode(SyncMessageCodec.encode("o", SyncMessage.Remove(k, true)))!!
            decoded.message.key shouldBe k
        }
        SyncMessageCodec.decode(SyncMessageCodec.encode("o", SyncMessage.Remove(queryKey("1"), true)))!!
            .message.key[0] shouldBe "1"
    }

    test("origins and entries with characters JSON escapes round-trip") {
        val origin = "host \"a\"\\1\n"
        val odd = "{\"data\":\"line\\nbreak \\\"q\\\"\"}\t\u0001"
        roundTrip(origin, SyncMessage.Set(key, odd)) shouldBe (origin to "Set [\"user\",1] exact=true entry=$odd")
    }

    test("another version decodes to null, whatever else the message holds") {
        SyncMessageCodec.decode("""{"v":2,"origin":"a","op":"invalidate","key":["k"],"exact":true}""") shouldBe null
        SyncMessageCodec.decode("""{"v":0}""") shouldBe null
        SyncMessageCodec.decode("""{"v":"2","op":"nonsense"}""") shouldBe null
    }

    test("an operation this version does not know decodes to null") {
        SyncMessageCodec.decode("""{"v":1,"origin":"a","op":"compact","key":["k"],"exact":true}""") shouldBe null
    }

    test("a set without an entry decodes as an invalidation of its key") {
        val received = SyncMessageCodec.decode("""{"v":1,"origin":"a","op":"set","key":["k",2],"exact":true}""")!!
        received.origin shouldBe "a"
        received.message.describe() shouldBe "Invalidate [\"k\",2] exact=true"
    }

    test("an exact flag that is not a boolean reads as false (a prefix)") {
        SyncMessageCodec.decode("""{"v":1,"origin":"a","op":"remove","key":["k"],"exact":"maybe"}""")!!
            .message.exact shouldBe false
    }

    test("garbage throws an Exception (what the sync bridge catches and logs), never an Error") {
        val garbage = listOf(
            "",
            "not json",
            "[1,2]", // not an object
            "{}", // no version
            """{"v":1}""", // no key
            """{"v":1,"origin":"a","op":"remove","key":"k","exact":true}""", // key not an array
            """{"v":1,"origin":"a","op":"remove","key":[{"a":1}],"exact":true}""", // an object segment
            """{"v":1,"origin":"a","op":"remove","key":[null],"exact":true}""",
            """{"v":1,"origin":"a","op":"remove","key":[1e999],"exact":true}""", // not a finite double
            """{"v":1,"origin":"a","op":"remove","key":["k"]}""", // no exact
            """{"v":1,"origin":"a","key":["k"],"exact":true}""", // no op
            """{"v":1,"op":"remove","key":["k"],"exact":true}""", // no origin
            """{"v":1,"origin":"a","op":"remove","key":["k"],"exact":true""", // truncated
            "[".repeat(100_000) + "]".repeat(100_000), // deeply nested
            """{"v":1,"origin":"a","op":"remove","key":""" + "[".repeat(100_000) + "]".repeat(100_000) +
                ""","exact":true}""",
        )
        for (text in garbage) {
            val thrown = runCatching { SyncMessageCodec.decode(text) }.exceptionOrNull()
            withClue(text.take(60)) { (thrown is Exception) shouldBe true }
        }
    }
})
